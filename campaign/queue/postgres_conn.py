"""Reaching the PostgreSQL queue: its URL, errors that name the server (never the password),
the first connection, and the forward migrations applied on open under an advisory lock.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from campaign import redact
from campaign.errors import QueueError
from campaign.queue.postgres_schema import MIGRATIONS, SCHEMA_VERSION, VERSIONS_TABLE

if TYPE_CHECKING:
    import psycopg

URL_SCHEMES = ("postgresql://", "postgres://")
#: seconds the first connection may take before the server counts as unreachable
CONNECT_TIMEOUT = 10


def is_postgres_url(value: str | os.PathLike[str] | None) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(URL_SCHEMES)


def split_schema(url: str) -> tuple[str, str | None]:
    """`url` without our own `schema=` query parameter (libpq refuses unknown ones), and it."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    if schema is None:
        return url, None
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def url_password(url: str) -> str | None:
    try:
        pw = urlsplit(url).password
    except ValueError:
        return None
    return unquote(pw) if pw else None


def place(params: Mapping[str, Any], url: str = "") -> str:
    """`host:port/dbname` of the server, for messages (never the user's password)."""
    host = str(params.get("host") or os.environ.get("PGHOST") or "")
    port = str(params.get("port") or os.environ.get("PGPORT") or "5432")
    db = str(params.get("dbname") or os.environ.get("PGDATABASE") or "")
    if not host and url:
        try:
            parts = urlsplit(url)
            host, port = parts.hostname or "", str(parts.port or port)
            db = db or parts.path.lstrip("/")
        except ValueError:
            pass
    host = host or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}" + (f"/{db}" if db else "")


def first_line(error: BaseException, secret: str | None = None) -> str:
    """The first line of a driver's message, with the password (and known secrets) masked."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    # libpq repeats the server's address, which the caller's message already names
    text = re.sub(r'^connection (failed|is bad): (connection to server at "[^"]*", port \d+ failed: )?', "", text)
    text = re.sub(r"^(FATAL|ERROR):\s+", "", text)
    if secret:
        text = text.replace(secret, redact.MASK)
    return redact.redact(text)


def parse(url: str) -> dict[str, Any]:
    """The connection parameters of `url`; QueueError for a URL libpq cannot read."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    password = url_password(url)
    try:
        params = conninfo_to_dict(url)
    except ProgrammingError as e:
        raise QueueError(f"bad PostgreSQL URL for {place({}, url)}: {first_line(e, password)}") from None
    return params


def connect(url: str, params: Mapping[str, Any], where: str) -> psycopg.Connection[Any]:
    """One autocommit connection; QueueError naming host and port when the server is not there."""
    import psycopg

    extra: dict[str, Any] = {"autocommit": True}
    if "connect_timeout" not in params:
        extra["connect_timeout"] = CONNECT_TIMEOUT
    try:
        return psycopg.connect(url, **extra)
    except psycopg.Error as e:
        why = first_line(e, params.get("password"))
        raise QueueError(f"cannot reach the PostgreSQL queue at {where}: {why}") from None


def migrate(conn: psycopg.Connection[Any], schema: str | None, where: str) -> str:
    """Create the schema (when named) and apply the migrations this database lacks, one process at
    a time (an advisory lock); the name of the schema the tables live in."""
    import psycopg

    try:
        return _migrate(conn, schema, where)
    except psycopg.Error as e:
        raise QueueError(f"cannot set up the PostgreSQL queue at {where}: {first_line(e)}") from None


def _migrate(conn: psycopg.Connection[Any], schema: str | None, where: str) -> str:
    from psycopg import sql

    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('campaign:migrate:' || %s, 0))",
                     [schema if schema is not None else ""])
        if schema is not None:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        row = conn.execute("SELECT current_schema()").fetchone()
        current = row[0] if row else None
        if current is None:
            raise QueueError(f"the PostgreSQL queue at {where} has no schema to create its tables in "
                             "(check the search_path, or add ?schema=NAME to the URL)")
        conn.execute(VERSIONS_TABLE)
        found = conn.execute("SELECT COALESCE(MAX(version), 0) FROM campaign_schema").fetchone()
        version = int(found[0]) if found else 0
        if version > SCHEMA_VERSION:
            raise QueueError(f"the PostgreSQL queue at {where} was written by a newer campaign (schema "
                             f"{version}, this one knows {SCHEMA_VERSION}); upgrade campaign")
        for v in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[v]:
                conn.execute(statement)  # type: ignore[arg-type,unused-ignore]  # our own SQL, no parameters
            conn.execute("INSERT INTO campaign_schema (version) VALUES (%s)", [v + 1])
    return str(current)


def set_session(conn: psycopg.Connection[Any], schema: str | None) -> None:
    """Every connection: UTC times, and the queue's schema first on the search path."""
    from psycopg import sql

    conn.execute("SET TIME ZONE 'UTC'")
    if schema is not None:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
