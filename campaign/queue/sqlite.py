"""The SQLite job store: transactions, migrating on open, one row mapper (SQL: `campaign.queue.schema`).

One file, WAL mode, a busy timeout; every method is one `BEGIN IMMEDIATE`
transaction, so two processes (two `campaign run`, or `run` beside `queue`)
serialize their writes and never claim the same job.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from campaign import tid
from campaign.errors import LeaseLost, QueueError
from campaign.models import Job, RemoteRef, utc
from campaign.queue.media import FolderMedia, Sleeps
from campaign.queue.schema import MIGRATIONS, SCHEMA_VERSION, SQL
from campaign.queue.sqlite_metrics import SqliteMetrics
from campaign.queue.sqlite_review import SqliteReview, review_fields
from campaign.queue.sqlite_threads import SqliteThreads
from campaign.queue.store import (
    DEFAULT_LEASE,
    STATES,
    CampaignRecord,
    Claim,
    EnqueueItem,
    EnqueueReport,
    JobEvent,
    Limit,
    NewJob,
    cancel_detail,
    cannot_cancel,
    check_new,
    decide,
    draft_from_json,
    draft_to_json,
    keeps_time,
    parse_ts,
    thread_rule,
    ts,
)
from campaign.redact import redact, redact_opt

BUSY_TIMEOUT_MS = 30_000

def _opt_ts(text: str | None) -> datetime | None:
    return parse_ts(text) if text else None



# --- the one row mapper --------------------------------------------------------------------


def listed_job(row: sqlite3.Row) -> Job:
    """A row as a Job for listings: a row the worker could not read (an unparsable draft or
    time) is shown with a placeholder, never an error that hides the rest of the queue."""
    try:
        return job_from_row(row)
    except (ValueError, TypeError, KeyError, AttributeError):
        from campaign.models import Draft

        fields = {k: row[k] for k in row.keys()}  # noqa: SIM118 (sqlite3.Row)
        try:
            run_at = parse_ts(fields["run_at"])
        except (ValueError, TypeError):
            run_at = datetime(1970, 1, 1, tzinfo=UTC)
        try:
            draft = draft_from_json(fields["draft"])
        except (ValueError, TypeError, KeyError, AttributeError):
            draft = Draft(fields["highlight_id"], fields["account"], fields["platform"],
                          ("(unreadable draft)",), (0,), 0)
        fields["draft"] = json.dumps({"highlight_id": draft.highlight_id, "account": draft.account,
                                      "platform": draft.platform, "parts": list(draft.parts),
                                      "lengths": list(draft.lengths), "limit": draft.limit})
        fields["run_at"] = ts(run_at)
        return job_from_row(fields)  # type: ignore[arg-type]


def job_from_row(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        campaign=row["campaign"],
        account=row["account"],
        platform=row["platform"],
        highlight_id=row["highlight_id"],
        part=row["part"],
        parts=row["parts"],
        dedupe_key=row["dedupe_key"],
        status=row["status"],
        run_at=parse_ts(row["run_at"]),
        zone=row["zone"],
        draft=draft_from_json(row["draft"]),
        attempts=row["attempts"],
        locked_until=_opt_ts(row["locked_until"]),
        last_error=row["last_error"],
        remote_id=row["remote_id"],
        remote_url=row["remote_url"],
        remote_extra=json.loads(row["remote_extra"] or "{}"),
        idempotency_key=row["idempotency_key"],
        created_at=_opt_ts(row["created_at"]),
        updated_at=_opt_ts(row["updated_at"]),
        **review_fields(row),
    )


def _campaign_from_row(row: sqlite3.Row) -> CampaignRecord:
    return CampaignRecord(
        slug=row["slug"], name=row["name"], zone=row["zone"], language=row["language"],
        base_dir=row["base_dir"], config_path=row["config_path"],
        accounts=json.loads(row["accounts"]), anchor=parse_ts(row["anchor"]),
        review=row["review"], approvals=row["approvals"], reviewers=tuple(json.loads(row["reviewers"])),
    )


class SqliteStore(SqliteMetrics, SqliteReview, SqliteThreads, FolderMedia, Sleeps):
    """The `Store` on one SQLite file (or ":memory:" for tests).

    Leases are judged by the database's clock (SQLite's `'now'`), never by the `now` a
    worker passes; `clock` replaces that clock in tests (time moved by hand)."""

    # the row mappers the review mixin uses (it never imports this module: no import cycle)
    _job_from_row = staticmethod(job_from_row)
    _listed_job = staticmethod(listed_job)
    _record_from_row = staticmethod(_campaign_from_row)

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL",
                 clock: Callable[[], datetime] | None = None):
        self.clock = clock
        self.path = Path(path) if str(path) != ":memory:" else None
        self.media_dir = (self.path.parent if self.path else Path(".")) / "media"
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(
                str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
        except sqlite3.Error as e:
            raise QueueError(f"cannot open the queue database {path}: {e}") from None
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()  # the worker's lease heartbeat shares this connection
        c = self._conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path is not None:
            mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise QueueError(f"{path}: cannot switch the database to WAL mode (got {mode})")
        # NORMAL in WAL mode: a commit survives a crash of the process (what the crash tests do);
        # FULL also survives a power cut, at an fsync per commit.
        c.execute(f"PRAGMA synchronous = {synchronous}")
        c.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                raise QueueError(f"the queue database is busy or unwritable: {e}") from None
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def _read(self, name: str, params: Mapping[str, Any] | None = None) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(SQL[name], params or {}).fetchall()

    def _migrate(self) -> None:
        with self._tx() as c:
            version = c.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise QueueError(
                    f"{self.path}: the queue was written by a newer campaign (schema {version}, "
                    f"this one knows {SCHEMA_VERSION}); upgrade campaign"
                )
            for v in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[v]:
                    c.execute(statement)
            if version != SCHEMA_VERSION:
                c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @staticmethod
    def _event(c: sqlite3.Connection, job_id: int, kind: str, now: str, attempt: int,
               owner: str | None = None, detail: str | None = None) -> None:
        """Append an event; its detail passes redaction (nothing unredacted reaches the store)."""
        c.execute(SQL["event"], {"job_id": job_id, "at": now, "kind": kind, "attempt": attempt,
                                 "owner": owner, "detail": redact_opt(detail)})

    def _db_now(self, c: sqlite3.Connection) -> str:
        """The database's clock (or the injected one), as stored text: what leases are judged by."""
        if self.clock is not None:
            return ts(self.clock())
        return str(c.execute(SQL["db_now"]).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def schema_version(self) -> int:
        return int(self._read_scalar("PRAGMA user_version"))

    def _read_scalar(self, sql: str) -> Any:
        with self._lock:
            return self._conn.execute(sql).fetchone()[0]

    # -- campaigns --------------------------------------------------------------------------

    def save_campaign(self, record: CampaignRecord, *, now: datetime) -> CampaignRecord:
        with self._tx() as c:
            row = c.execute(SQL["save_campaign"], {
                "slug": record.slug, "name": record.name, "zone": record.zone,
                "language": record.language, "base_dir": record.base_dir,
                "config_path": record.config_path, "accounts": json.dumps(record.accounts, sort_keys=True),
                "anchor": ts(record.anchor), "now": ts(now),
            }).fetchone()
            row = self._save_review_policy(c, record)
        return _campaign_from_row(row)

    def campaign(self, slug: str) -> CampaignRecord | None:
        rows = self._read("campaign", {"slug": slug})
        return _campaign_from_row(rows[0]) if rows else None

    def campaigns(self) -> list[CampaignRecord]:
        return [_campaign_from_row(r) for r in self._read("campaigns")]

    # -- enqueue ----------------------------------------------------------------------------

    def enqueue(self, campaign: str, jobs: list[NewJob], *, now: datetime, replan: bool = False) -> EnqueueReport:
        n = ts(now)
        items: list[EnqueueItem] = []
        with self._tx() as c:
            existing = {r["dedupe_key"]: r for r in c.execute(SQL["campaign_jobs"], {"campaign": campaign})}
            last = c.execute(SQL["max_key"]).fetchone()[0]
            micros = max(int(utc(now).timestamp() * 1_000_000), tid.micros(last) + 1 if last else 0)
            wanted: set[str] = set()
            requeued: dict[tuple[str, str], int] = {}  # thread → first part queued again
            doubtful: set[tuple[str, str]] = set()  # threads with a failed part that may have landed
            for nj in jobs:
                check_new(campaign, nj, wanted)
                key = nj.dedupe_key
                params = {
                    "campaign": campaign, "account": nj.account, "platform": nj.platform,
                    "highlight_id": nj.highlight_id, "part": nj.part, "parts": nj.parts,
                    "dedupe_key": key, "run_at": ts(nj.run_at), "zone": nj.zone,
                    "draft": draft_to_json(nj.draft), "content_hash": nj.content_hash, "now": n,
                }
                row = existing.get(key)
                detail = "; ".join(nj.notes) or None
                if row is None:
                    params["idempotency_key"] = tid.mint(datetime.fromtimestamp(micros / 1e6, UTC))
                    micros += 1
                    job_id = c.execute(SQL["insert"], params).lastrowid
                    assert job_id is not None
                    self._event(c, job_id, "queued", n, 0, detail=detail)
                    items.append(EnqueueItem(job_id, key, "added", "todo"))
                    continue
                same_content = row["content_hash"] == params["content_hash"]
                outcome, reason = decide(row["status"], bool(row["uncertain"]), same_content,
                                         row["run_at"] == params["run_at"], by_hand=row["by_hand"], replan=replan)
                keep = keeps_time(row["status"], row["by_hand"], replan)
                if keep:
                    params["run_at"] = row["run_at"]
                thread = (nj.account, nj.highlight_id)
                outcome, reason = thread_rule((outcome, reason), row["status"], bool(row["uncertain"]), thread,
                                              nj.part, requeued, doubtful)
                status = row["status"]
                if outcome in ("updated", "requeued"):
                    params["id"] = row["id"]
                    sql = "update_draft" if outcome == "updated" else "requeue_draft"
                    if c.execute(SQL[sql], params).rowcount != 1:
                        raise QueueError(f"job #{row['id']} changed while queueing; run `campaign queue` again")
                    if row["by_hand"] and not keep:
                        c.execute(SQL["hand_set"], {"id": row["id"], "by_hand": None})
                    self._event(c, row["id"], outcome, n, 0,
                                detail=f"{reason}; run_at {params['run_at']}" + (f"; {detail}" if detail else ""))
                    status = "todo"
                    if outcome == "requeued":
                        requeued.setdefault(thread, nj.part)
                items.append(EnqueueItem(row["id"], key, outcome, status, reason))
            for key, row in existing.items():
                if key in wanted:
                    continue
                if row["status"] == "todo" and not row["uncertain"]:
                    c.execute(SQL["set_status"], {"id": row["id"], "status": "cancelled", "old": "todo", "now": n})
                    self._event(c, row["id"], "cancelled", n, 0, detail="no longer in the campaign config")
                    items.append(EnqueueItem(row["id"], key, "cancelled", "cancelled",
                                             "no longer in the campaign config"))
                elif row["status"] in ("todo", "doing"):
                    items.append(EnqueueItem(row["id"], key, "kept", row["status"],
                                             "no longer in the config, but it may be going out; left alone"))
            items = self._order_threads(c, campaign, items, n)
            self._review_sync(c, campaign, jobs, n)
        items.sort(key=lambda i: i.dedupe_key)
        return EnqueueReport(campaign, tuple(items))

    # -- the worker -------------------------------------------------------------------------

    def _blocked(self, c: sqlite3.Connection, limits: Mapping[str, Limit], now: datetime) -> dict[str, datetime]:
        """Accounts at their rate limit, and when each may post again."""
        out = {}
        for account, lim in limits.items():
            rows = c.execute(SQL["recent_starts"], {"since": ts(now - lim.per), "account": account,
                                                    "posts": lim.posts}).fetchall()
            if len(rows) >= lim.posts:
                out[account] = parse_ts(rows[-1]["at"]) + lim.per
        return out

    def claim(self, owner: str, *, now: datetime, lease: timedelta = DEFAULT_LEASE,
              limits: Mapping[str, Limit] | None = None, busy: Collection[str] = ()) -> Claim | None:
        n = ts(now)
        with self._tx() as c:
            skip = set(self._blocked(c, limits, now) if limits else ()) | set(busy)
            db_now = self._db_now(c)
            params = {"owner": owner, "now": n, "db_now": db_now, "until": ts(parse_ts(db_now) + lease)}
            if skip:
                params["blocked"] = json.dumps(sorted(skip))
            while True:
                row = c.execute(SQL["claim_limited" if skip else "claim"], params).fetchone()
                if row is None:
                    return None
                try:
                    job = job_from_row(row)
                    break
                except (ValueError, TypeError, KeyError, AttributeError) as e:
                    # a poisoned row (an unparsable draft, a bad run_at) fails alone, with its
                    # reason; the rest of the queue goes on
                    why = f"unreadable job in the queue: {type(e).__name__}: {str(e)[:200]}"
                    c.execute(SQL["fail"], {"id": row["id"], "owner": owner, "now": n, "error": why,
                                            "uncertain": 0})
                    self._event(c, row["id"], "failed", n, row["attempts"], owner, why)
            uncertain = bool(row["uncertain"])
            self._event(c, job.id, "started", n, job.attempts, owner,
                        "reconciling: an earlier attempt may have landed" if uncertain else None)
            reply_to = None
            if job.part > 0:
                prev = c.execute(SQL["prev_ref"], {"campaign": job.campaign, "account": job.account,
                                                   "highlight_id": job.highlight_id,
                                                   "part": job.part - 1}).fetchone()
                if prev is None:  # the claim query makes this impossible; refuse rather than guess
                    raise QueueError(f"job #{job.id}: previous part not sent")
                reply_to = RemoteRef(prev["remote_id"], prev["remote_url"], json.loads(prev["remote_extra"]))
        return Claim(job, owner, uncertain, reply_to)

    def extend(self, job_id: int, owner: str, *, lease: timedelta = DEFAULT_LEASE) -> bool:
        with self._tx() as c:
            db_now = self._db_now(c)
            return c.execute(SQL["extend"], {"id": job_id, "owner": owner, "db_now": db_now,
                                             "until": ts(parse_ts(db_now) + lease)}).rowcount == 1

    def _transition(self, name: str, job_id: int, owner: str, params: dict[str, Any], kind: str,
                    now: datetime, detail: str | None) -> Job:
        n = ts(now)
        with self._tx() as c:
            row = c.execute(SQL[name], {"id": job_id, "owner": owner, "now": n, **params}).fetchone()
            if row is None:
                cur = c.execute(SQL["get"], {"id": job_id}).fetchone()
                state = f"{cur['status']}, held by {cur['locked_by']}" if cur else "missing"
                raise LeaseLost(f"job #{job_id} is no longer held by this worker ({state})", job_id=job_id, owner=owner)
            job = job_from_row(row)
            self._event(c, job_id, kind, n, job.attempts, owner, detail)
            if kind in ("failed",):
                self._later_parts(c, job, "failed", f"part {job.part + 1} of the thread failed", n)
        return job

    def _later_parts(self, c: sqlite3.Connection, job: Job, status: str, why: str, n: str) -> list[int]:
        rows = c.execute(SQL["later_parts"], {"status": status, "error": why if status == "failed" else None,
                                              "now": n, "campaign": job.campaign, "account": job.account,
                                              "highlight_id": job.highlight_id, "part": job.part}).fetchall()
        for r in rows:
            self._event(c, r["id"], status, n, r["attempts"], None, why)
        return [r["id"] for r in rows]

    def succeed(self, job_id: int, owner: str, ref: RemoteRef, *, now: datetime,
                reconciled: bool = False) -> Job:
        params = {"remote_id": ref.id, "remote_url": ref.url,
                  "remote_extra": json.dumps(ref.extra, sort_keys=True)}
        detail = ("found by reconciling: " if reconciled else "") + (ref.url or ref.id)
        return self._transition("succeed", job_id, owner, params, "succeeded", now, detail)

    def retry_later(self, job_id: int, owner: str, *, run_at: datetime, error: str,
                    now: datetime, uncertain: bool) -> Job:
        error = redact(error)
        params = {"run_at": ts(run_at), "error": error, "uncertain": int(uncertain)}
        detail = f"{error}; next attempt {ts(run_at)}" + ("; may have landed" if uncertain else "")
        return self._transition("retry_later", job_id, owner, params, "retry", now, detail)

    def fail(self, job_id: int, owner: str, *, error: str, now: datetime, uncertain: bool = False) -> Job:
        error = redact(error)
        detail = error + ("; may have landed: it is looked for before any new attempt" if uncertain else "")
        return self._transition("fail", job_id, owner, {"error": error, "uncertain": int(uncertain)}, "failed",
                                now, detail)

    def release(self, job_id: int, owner: str, *, now: datetime) -> Job:
        return self._transition("release", job_id, owner, {}, "released", now, "worker stopping; not sent")

    def note(self, job_id: int, kind: str, *, now: datetime, owner: str | None = None,
             detail: str | None = None) -> None:
        with self._tx() as c:
            row = c.execute(SQL["get"], {"id": job_id}).fetchone()
            if row is None:
                raise QueueError(f"no job #{job_id}")
            self._event(c, job_id, kind, ts(now), row["attempts"], owner, detail)

    def lease_owners(self) -> list[str]:
        return [r[0] for r in self._read("owners")]

    def expire_leases(self, owner: str, *, now: datetime, reason: str) -> int:
        n = ts(now)
        with self._tx() as c:
            rows = c.execute(SQL["expire"], {"owner": owner, "db_now": self._db_now(c)}).fetchall()
            for r in rows:
                self._event(c, r["id"], "lease-expired", n, r["attempts"], owner, reason)
        return len(rows)

    def next_wake(self, *, now: datetime, limits: Mapping[str, Limit] | None = None) -> datetime | None:
        with self._tx() as c:  # a read, but consistent with claim's view of the rate limits
            blocked = self._blocked(c, limits, now) if limits else {}
            todo = c.execute(SQL["next_todo"], {"blocked": json.dumps(sorted(blocked))}).fetchone()[0]
            lease = c.execute(SQL["next_lease"], {"blocked": json.dumps(sorted(blocked))}).fetchone()[0]
            db_now = parse_ts(self._db_now(c))
            pending = {r[0] for r in c.execute(SQL["pending_accounts"])}
        try:
            times = [parse_ts(todo)] if todo else []
        except ValueError:  # a poisoned run_at, never due: claim fails it alone; do not wake for it
            times = []
        if lease:  # when the lease ends by the database's clock, told on the caller's
            times.append(utc(now) + (parse_ts(lease) - db_now))
        times += [t for a, t in blocked.items() if a in pending]
        return min(times) if times else None

    def due(self, *, now: datetime, limit: int = 100) -> list[Job]:
        return [listed_job(r) for r in self._read("due", {"now": ts(now), "limit": _sql_int(limit)})]

    # -- inspection and admin ---------------------------------------------------------------

    def get(self, job_id: int) -> Job:
        rows = self._read("get", {"id": job_id})
        if not rows:
            raise QueueError(f"no job #{job_id}")
        return listed_job(rows[0])

    def jobs(self, *, status: str | None = None, campaign: str | None = None,
             limit: int | None = None) -> list[Job]:
        if status is not None and status not in STATES:
            raise QueueError(f"unknown state '{status}'; use one of {', '.join(STATES)}")
        rows = self._read("jobs", {"status": status, "campaign": campaign,
                                   "limit": -1 if limit is None else _sql_int(limit)})
        return [listed_job(r) for r in rows]

    def counts(self, *, campaign: str | None = None) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        out.update({r[0]: r[1] for r in self._read("counts", {"campaign": campaign})})
        return out

    def events(self, job_id: int) -> list[JobEvent]:
        self.get(job_id)
        return [JobEvent(r["id"], r["job_id"], parse_ts(r["at"]), r["kind"], r["attempt"], r["owner"], r["detail"])
                for r in self._read("events", {"id": job_id})]

    def cancel(self, *, now: datetime, job_id: int | None = None, campaign: str | None = None) -> list[int]:
        if (job_id is None) == (campaign is None):
            raise QueueError("cancel one job or one campaign")
        n = ts(now)
        with self._tx() as c:
            if campaign is not None:
                rows = c.execute(SQL["cancel_campaign"], {"campaign": campaign, "now": n}).fetchall()
                for r in rows:
                    self._event(c, r["id"], "cancelled", n, r["attempts"], None, "campaign cancelled")
                self._hand_cancel(c, [r["id"] for r in rows])
                return [r["id"] for r in rows]
            row = c.execute(SQL["get"], {"id": job_id}).fetchone()
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

    # -- scrubbing --------------------------------------------------------------------------

    def uncertain(self, job_id: int) -> bool:
        rows = self._read("uncertain", {"id": job_id})
        if not rows:
            raise QueueError(f"no job #{job_id}")
        return bool(rows[0][0])

    def scrub(self, *, now: datetime) -> list[int]:
        """Rewrite every `last_error` and event detail through redaction (the secrets registered
        now); the one exception to append-only events. The ids of the jobs changed, each of
        which gets a "scrubbed" event."""
        n = ts(now)
        changed: set[int] = set()
        with self._tx() as c:
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
                attempts = c.execute(SQL["get"], {"id": job_id}).fetchone()["attempts"]
                self._event(c, job_id, "scrubbed", n, attempts, None,
                            "a secret was removed from this job's error and events")
        return sorted(changed)


def _sql_int(n: int) -> int:
    """`n` within SQLite's INTEGER range (a `--limit` of 2**64 means "all", not an overflow)."""
    return max(-(2**63), min(n, 2**63 - 1))
