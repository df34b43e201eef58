"""The PostgreSQL store's row mapper, inspection and admin methods, scrub, media and wake-ups.

A mixin of `campaign.queue.postgres.PostgresStore` (which holds the connection pool and the
worker's methods); the rules are SQLite's, event for event.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from campaign.errors import QueueError
from campaign.models import Draft, Job, utc
from campaign.queue.media import clean_suffix as _suffix
from campaign.queue.media import parse_key, write_atomic
from campaign.queue.postgres_schema import SQL
from campaign.queue.sqlite_review import review_fields
from campaign.queue.store import (
    STATES,
    CampaignRecord,
    JobEvent,
    cancel_detail,
    cannot_cancel,
    draft_from_json,
)
from campaign.redact import redact, redact_opt

if TYPE_CHECKING:
    import psycopg

    Cursor = psycopg.Cursor[dict[str, Any]]
else:
    Cursor = Any

T = TypeVar("T")
_BIGINT = 2**63 - 1
#: how often a `wait` with a `stop` event looks at it
_STOP_POLL = 0.2


def _at(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def job_from_row(row: Mapping[str, Any]) -> Job:
    return Job(
        id=row["id"], campaign=row["campaign"], account=row["account"], platform=row["platform"],
        highlight_id=row["highlight_id"], part=row["part"], parts=row["parts"], dedupe_key=row["dedupe_key"],
        status=row["status"], run_at=row["run_at"].astimezone(UTC), zone=row["zone"],
        draft=draft_from_json(row["draft"]), attempts=row["attempts"], locked_until=_at(row["locked_until"]),
        last_error=row["last_error"], remote_id=row["remote_id"], remote_url=row["remote_url"],
        remote_extra=json.loads(row["remote_extra"] or "{}"), idempotency_key=row["idempotency_key"],
        created_at=_at(row["created_at"]), updated_at=_at(row["updated_at"]), **review_fields(row),
    )


def campaign_from_row(row: Mapping[str, Any]) -> CampaignRecord:
    return CampaignRecord(
        slug=row["slug"], name=row["name"], zone=row["zone"], language=row["language"],
        base_dir=row["base_dir"], config_path=row["config_path"],
        accounts=json.loads(row["accounts"]), anchor=row["anchor"].astimezone(UTC),
        review=row["review"], approvals=row["approvals"], reviewers=tuple(json.loads(row["reviewers"])),
    )


def listed_job(row: Mapping[str, Any]) -> Job:
    """A row as a Job for listings: a draft the worker could not read is shown with a
    placeholder, never an error that hides the rest of the queue."""
    try:
        return job_from_row(row)
    except (ValueError, TypeError, KeyError, AttributeError):
        d = Draft(row["highlight_id"], row["account"], row["platform"], ("(unreadable draft)",), (0,), 0)
        text = json.dumps({"highlight_id": d.highlight_id, "account": d.account, "platform": d.platform,
                           "parts": list(d.parts), "lengths": list(d.lengths), "limit": d.limit})
        return job_from_row({**row, "draft": text})


def _limit(n: int | None) -> int | None:
    """SQL's LIMIT as SQLite reads it: None or negative means all; within BIGINT."""
    return None if n is None or n < 0 else min(n, _BIGINT)


class PostgresAdmin:
    """Inspection, admin, scrub, media and `wait` for `PostgresStore`."""

    if TYPE_CHECKING:
        url: str
        schema: str | None
        channel: str
        where: str
        media_dir: Path

        def _run(self, fn: Callable[[Cursor], T]) -> T: ...
        def _notify(self, c: Cursor) -> None: ...
        @staticmethod
        def _hand_cancel(c: Cursor, job_ids: list[int]) -> None: ...

    # -- events -----------------------------------------------------------------------------

    @staticmethod
    def _event(c: Cursor, job_id: int, kind: str, at: datetime, attempt: int, owner: str | None = None,
               detail: str | None = None) -> None:
        """Append an event; its detail passes redaction (nothing unredacted reaches the store)."""
        c.execute(SQL["event"], {"job_id": job_id, "at": at, "kind": kind, "attempt": attempt,
                                 "owner": owner, "detail": redact_opt(detail)})

    def _later_parts(self, c: Cursor, job: Job, status: str, why: str, n: datetime) -> list[int]:
        rows = c.execute(SQL["later_parts"], {"status": status, "error": why if status == "failed" else None,
                                              "now": n, "campaign": job.campaign, "account": job.account,
                                              "highlight_id": job.highlight_id, "part": job.part}).fetchall()
        for r in rows:
            self._event(c, r["id"], status, n, r["attempts"], None, why)
        return [r["id"] for r in rows]

    def note(self, job_id: int, kind: str, *, now: datetime, owner: str | None = None,
             detail: str | None = None) -> None:
        n = utc(now)

        def tx(c: Cursor) -> None:
            row = c.execute(SQL["get"], {"id": job_id}).fetchone()
            if row is None:
                raise QueueError(f"no job #{job_id}")
            self._event(c, job_id, kind, n, row["attempts"], owner, detail)

        self._run(tx)

    # -- inspection -------------------------------------------------------------------------

    def due(self, *, now: datetime, limit: int = 100) -> list[Job]:
        params = {"now": utc(now), "limit": _limit(limit)}
        return [listed_job(r) for r in self._run(lambda c: c.execute(SQL["due"], params).fetchall())]

    def get(self, job_id: int) -> Job:
        row = self._run(lambda c: c.execute(SQL["get"], {"id": job_id}).fetchone())
        if row is None:
            raise QueueError(f"no job #{job_id}")
        return listed_job(row)

    def jobs(self, *, status: str | None = None, campaign: str | None = None,
             limit: int | None = None) -> list[Job]:
        if status is not None and status not in STATES:
            raise QueueError(f"unknown state '{status}'; use one of {', '.join(STATES)}")
        params = {"status": status, "campaign": campaign, "limit": _limit(limit)}
        return [listed_job(r) for r in self._run(lambda c: c.execute(SQL["jobs"], params).fetchall())]

    def counts(self, *, campaign: str | None = None) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        rows = self._run(lambda c: c.execute(SQL["counts"], {"campaign": campaign}).fetchall())
        out.update({r["status"]: int(r["n"]) for r in rows})
        return out

    def events(self, job_id: int) -> list[JobEvent]:
        def tx(c: Cursor) -> list[dict[str, Any]]:
            if c.execute(SQL["get"], {"id": job_id}).fetchone() is None:
                raise QueueError(f"no job #{job_id}")
            return c.execute(SQL["events"], {"id": job_id}).fetchall()

        return [JobEvent(r["id"], r["job_id"], r["at"].astimezone(UTC), r["kind"], r["attempt"], r["owner"],
                         r["detail"]) for r in self._run(tx)]

    def uncertain(self, job_id: int) -> bool:
        row = self._run(lambda c: c.execute(SQL["uncertain"], {"id": job_id}).fetchone())
        if row is None:
            raise QueueError(f"no job #{job_id}")
        return bool(row["uncertain"])

    def schema_version(self) -> int:
        row = self._run(lambda c: c.execute("SELECT COALESCE(MAX(version), 0) AS v FROM campaign_schema").fetchone())
        return int(row["v"]) if row else 0

    # -- admin ------------------------------------------------------------------------------

    def cancel(self, *, now: datetime, job_id: int | None = None, campaign: str | None = None) -> list[int]:
        if (job_id is None) == (campaign is None):
            raise QueueError("cancel one job or one campaign")
        n = utc(now)

        def tx(c: Cursor) -> list[int]:
            if campaign is not None:
                rows = c.execute(SQL["cancel_campaign"], {"campaign": campaign, "now": n}).fetchall()
                for r in rows:
                    self._event(c, r["id"], "cancelled", n, r["attempts"], None, "campaign cancelled")
                self._hand_cancel(c, [r["id"] for r in rows])
                return [r["id"] for r in rows]
            row = c.execute(SQL["get_for_update"], {"id": job_id}).fetchone()
            if row is None:
                raise QueueError(f"no job #{job_id}")
            if row["status"] != "todo":
                raise cannot_cancel(row["id"], row["status"])
            c.execute(SQL["set_status"], {"id": job_id, "status": "cancelled", "old": "todo", "now": n})
            job = job_from_row(row)
            self._event(c, job.id, "cancelled", n, job.attempts, None, cancel_detail(bool(row["uncertain"])))
            ids = [job.id] + self._later_parts(c, job, "cancelled", f"part {job.part + 1} of the thread cancelled", n)
            self._hand_cancel(c, ids)
            return ids

        return self._run(tx)

    def scrub(self, *, now: datetime) -> list[int]:
        """Rewrite every `last_error` and event detail through redaction (the secrets registered
        now); the one exception to append-only events. The ids of the jobs changed, each of
        which gets a "scrubbed" event."""
        n = utc(now)

        def tx(c: Cursor) -> list[int]:
            changed: set[int] = set()
            for r in c.execute(SQL["scrub_errors"]).fetchall():
                clean = redact(r["last_error"])
                if clean != r["last_error"]:
                    c.execute(SQL["scrub_error"], {"id": r["id"], "text": clean})
                    changed.add(r["id"])
            c.execute(SQL["allow_update"])
            for r in c.execute(SQL["scrub_details"]).fetchall():
                clean = redact(r["detail"])
                if clean != r["detail"]:
                    c.execute(SQL["scrub_detail"], {"id": r["id"], "text": clean})
                    changed.add(r["job_id"])
            c.execute(SQL["forbid_update"])
            for job_id in sorted(changed):
                row = c.execute(SQL["get"], {"id": job_id}).fetchone()
                assert row is not None
                self._event(c, job_id, "scrubbed", n, row["attempts"], None,
                            "a secret was removed from this job's error and events")
            return sorted(changed)

        return self._run(tx)

    # -- media ------------------------------------------------------------------------------

    def put_media(self, data: bytes, suffix: str) -> str:
        """Keep the image's bytes in the `media` table (once per content); its content key."""
        digest, sfx = hashlib.sha256(data).hexdigest(), _suffix(suffix)
        params = {"sha256": digest, "suffix": sfx, "size": len(data), "data": data}
        self._run(lambda c: c.execute(SQL["media_put"], params))
        return f"sha256:{digest}{sfx}"

    def media_file(self, ref: str) -> Path:
        """The image `ref` names as a local file: from the cache folder (`media_dir`), else fetched
        from the database, checked against its hash, and cached. A plain path is returned as is."""
        key = parse_key(ref)
        if key is None:
            return Path(ref)
        digest, sfx = key
        dest = self.media_dir / f"{digest}{sfx}"
        try:
            if hashlib.sha256(dest.read_bytes()).hexdigest() == digest:
                return dest
        except OSError:
            pass
        row = self._run(lambda c: c.execute(SQL["media_get"], {"sha256": digest}).fetchone())
        if row is None:
            raise QueueError(f"the PostgreSQL queue at {self.where} has no media {ref}")
        data = bytes(row["data"])
        if hashlib.sha256(data).hexdigest() != digest:
            raise QueueError(f"media {ref} in the PostgreSQL queue at {self.where} is damaged (hash mismatch)")
        try:
            write_atomic(dest, data)
        except OSError as e:
            raise QueueError(f"cannot write media into {self.media_dir}: {e.strerror or e}") from None
        return dest

    # -- LISTEN / NOTIFY --------------------------------------------------------------------

    def _init_listener(self) -> None:
        self._listener: psycopg.Connection[Any] | None = None
        self._listen_lock = threading.Lock()

    def _close_listener(self) -> None:
        with self._listen_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def _listen(self) -> bool:
        """Open the listening connection (LISTEN on the queue's channel); False when it cannot."""
        import psycopg
        from psycopg import sql

        from campaign.queue.postgres_conn import connect, parse, set_session

        try:
            conn = connect(self.url, parse(self.url), self.where)
            set_session(conn, self.schema)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except (QueueError, psycopg.Error):
            return False
        self._listener = conn
        return True

    def wait(self, timeout: float, *, stop: threading.Event | None = None) -> bool:
        """Sleep up to `timeout` seconds; True as soon as another process NOTIFYs the queue's
        channel (a job queued, retried, rescheduled or approved, a lease expired, a thread's
        part sent), False at the timeout or when `stop` is set. The first call starts
        listening and returns True at once (look again: nothing sent before was heard)."""
        import psycopg

        deadline = time.monotonic() + max(timeout, 0.0)
        with self._listen_lock:
            if self._listener is None:
                if self._listen():
                    return True
                _sleep(deadline, stop)  # no listening connection: a plain sleep, try again next time
                return False
            conn = self._listener
            while not (stop is not None and stop.is_set()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                try:
                    if any(True for _ in conn.notifies(timeout=min(left, _STOP_POLL) if stop else left,
                                                       stop_after=1)):
                        for _ in conn.notifies(timeout=0.0):  # drain: one wake for a burst
                            pass
                        return True
                except psycopg.Error:
                    conn.close()
                    self._listener = None
                    _sleep(deadline, stop)
                    return False
            return False


def _sleep(deadline: float, stop: threading.Event | None) -> None:
    left = max(deadline - time.monotonic(), 0.0)
    if stop is not None:
        stop.wait(left)
    else:
        time.sleep(left)
