"""The real PostgreSQL the tests run the PostgreSQL store against.

`PG_TEST_DSN` names the server (default: this project's machines' server at
127.0.0.1:5432, trust auth, database `test`); `tests/pg/ensure.sh` (called by
`scripts/test`) starts a private one where there is none and exports both variables.
Each test gets a schema of its own (`fresh_schema`), dropped afterwards, so tests never
see each other's rows and need no setup. Without a server the tests skip, unless
`PG_TEST_REQUIRED=1` (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DSN = os.environ.get("PG_TEST_DSN") or "postgresql://postgres@127.0.0.1:5432/test"


@cache
def unavailable() -> str | None:
    """Why the test server cannot be used, or None when it answers."""
    try:
        import psycopg
    except ImportError as e:
        return f"psycopg is not installed ({e})"
    try:
        with psycopg.connect(DSN, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as e:
        return f"no PostgreSQL at {DSN}: {str(e).strip().splitlines()[0] if str(e).strip() else e}"
    return None


def require() -> str:
    """The test server's DSN; skips the test without one (fails it with PG_TEST_REQUIRED=1)."""
    why = unavailable()
    if why is not None:
        if os.environ.get("PG_TEST_REQUIRED") == "1":
            pytest.fail(f"PG_TEST_REQUIRED=1 but {why} (run tests/pg/ensure.sh)")
        pytest.skip(why)
    return DSN


def new_schema_name() -> str:
    return f"t_{uuid.uuid4().hex[:16]}"


def drop_schema(schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def url(schema: str) -> str:
    """The DSN as `--db` takes it, for a `campaign` subprocess on the schema."""
    return f"{DSN}{'&' if '?' in DSN else '?'}schema={schema}"


def postgres_store(tmp_path: Path, clock: Callable[[], datetime] | None = None) -> Any:
    """A PostgresStore in a fresh schema, dropped when the store is closed (a contract-suite
    factory, like `sqlite_store`); its media cache lives in `tmp_path`."""
    dsn = require()
    from campaign.queue.postgres import PostgresStore

    class ThrowawayPostgresStore(PostgresStore):
        def close(self) -> None:
            super().close()
            drop_schema(schema)

    schema = new_schema_name()
    return ThrowawayPostgresStore(dsn, schema=schema, clock=clock, media_dir=tmp_path / "pg-media-cache",
                                  pool_size=4)
