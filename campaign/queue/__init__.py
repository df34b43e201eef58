"""The queue: the `Store` protocol every job store implements, and its implementations.

- `store`: the protocol, the values it takes and returns, and the pure rules every store shares
  (dedupe keys, what re-queueing does to a job, media kept beside the database).
- `memory`: an in-memory store (tests, dry runs); `sqlite`: one SQLite file, WAL mode.
- `schema`: the SQLite schema, its migrations and every SQL statement, by name.
- `postgres` (+ `postgres_admin`, `postgres_conn`, `postgres_schema`): one PostgreSQL database
  for workers on many machines; `media`: images kept by the store, content-addressed.

The queue knows nothing of configs or builds: `campaign.pipeline` queues a campaign.
"""

import os
from pathlib import Path

from campaign.errors import QueueError
from campaign.queue.memory import MemoryStore
from campaign.queue.store import (
    DEFAULT_LEASE,
    MIN_LEASE,
    STATES,
    CampaignRecord,
    Claim,
    EnqueueItem,
    EnqueueReport,
    JobEvent,
    Limit,
    NewJob,
    Outcome,
    Store,
    content_hash,
    decide,
    dedupe_key,
    draft_from_json,
    draft_to_json,
    enqueue_plan,
    keep_media,
    new_jobs,
    retry_failed,
)


def default_db_path() -> Path:
    """`CAMPAIGN_DB`, else `queue.sqlite3` in the user data folder."""
    env = os.environ.get("CAMPAIGN_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("campaign")) / "queue.sqlite3"


def open_store(path: str | Path | None = None) -> Store:
    """Open (creating and migrating) the store at `path` (else $CAMPAIGN_DB, else the default
    SQLite file): a `postgresql://` (or `postgres://`) URL opens the PostgreSQL store (an
    optional `?schema=NAME` keeps its tables in that schema), anything else a SQLite file.

    Raises QueueError naming the database (never a password) when it cannot be opened."""
    import sqlite3

    from campaign.queue.postgres_conn import is_postgres_url

    target = path if path else os.environ.get("CAMPAIGN_DB")
    if isinstance(target, str) and is_postgres_url(target):
        return open_postgres(target.strip())

    from campaign.queue.sqlite import SqliteStore

    where = Path(path).expanduser() if path else default_db_path()
    try:
        return SqliteStore(where)
    except OSError as e:
        raise QueueError(f"cannot open the queue database {where}: {e.strerror or e}") from None
    except sqlite3.DatabaseError as e:
        raise QueueError(f"cannot open the queue database {where}: {e} (give another --db or CAMPAIGN_DB)") from None


def open_postgres(url: str) -> Store:
    """The PostgreSQL store at `url` (see `open_store`)."""
    from campaign.queue.postgres_conn import split_schema

    try:
        from campaign.queue.postgres import PostgresStore
    except ImportError as e:
        raise QueueError(f"a PostgreSQL queue needs psycopg (pip install 'psycopg[binary]' psycopg-pool): {e}") from None
    dsn, schema = split_schema(url)
    return PostgresStore(dsn, schema=schema)


__all__ = [
    "DEFAULT_LEASE", "MIN_LEASE", "STATES", "CampaignRecord", "Claim", "EnqueueItem", "EnqueueReport",
    "JobEvent", "Limit", "MemoryStore", "NewJob", "Outcome", "Store", "content_hash", "decide", "dedupe_key",
    "default_db_path", "draft_from_json", "draft_to_json", "enqueue_plan", "keep_media",
    "new_jobs", "open_postgres", "open_store", "retry_failed",
]
