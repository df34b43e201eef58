"""The queue: the `Store` protocol every job store implements, and its implementations.

- `store`: the protocol, the values it takes and returns, and the pure rules every store shares
  (dedupe keys, what re-queueing does to a job, media kept beside the database).
- `memory`: an in-memory store (tests, dry runs); `sqlite`: one SQLite file, WAL mode.
- `schema`: the SQLite schema, its migrations and every SQL statement, by name.

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
    """Open (creating and migrating) the SQLite store at `path` or the default place.

    Raises QueueError naming the database when it cannot be opened."""
    import sqlite3

    from campaign.queue.sqlite import SqliteStore

    where = Path(path).expanduser() if path else default_db_path()
    try:
        return SqliteStore(where)
    except OSError as e:
        raise QueueError(f"cannot open the queue database {where}: {e.strerror or e}") from None
    except sqlite3.DatabaseError as e:
        raise QueueError(f"cannot open the queue database {where}: {e} (give another --db or CAMPAIGN_DB)") from None


__all__ = [
    "DEFAULT_LEASE", "MIN_LEASE", "STATES", "CampaignRecord", "Claim", "EnqueueItem", "EnqueueReport",
    "JobEvent", "Limit", "MemoryStore", "NewJob", "Outcome", "Store", "content_hash", "decide", "dedupe_key",
    "default_db_path", "draft_from_json", "draft_to_json", "enqueue_plan", "keep_media",
    "new_jobs", "open_store", "retry_failed",
]
