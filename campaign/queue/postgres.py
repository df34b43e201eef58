"""The PostgreSQL job store: one database for workers on many machines (SQL: `postgres_schema`).

The same rules as `SqliteStore`, event for event, on PostgreSQL (psycopg 3):
- `claim` picks its row with `FOR UPDATE SKIP LOCKED` inside one `UPDATE ... RETURNING`: two
  workers never take, nor wait for, the same job; every later transition is guarded by
  `status = 'doing' AND locked_by = owner` and checks that a row came back (else LeaseLost).
- leases are judged by the database's clock (`statement_timestamp()`), never a worker's `now`;
- a rate limit is checked again under an advisory lock on the account once a job is picked,
  so workers on several machines share it exactly;
- `job_events` is append-only (a trigger refuses UPDATE, DELETE and TRUNCATE, except the
  UPDATEs of `scrub`);
- enqueue, retry, reschedule, a released or retried job, a thread part sent and a lease
  expired NOTIFY the queue's channel, so an idle worker (`wait`) looks at once;
- images live in the `media` table, by content (`put_media`, `media_file`).

Every method is one transaction on a connection from a pool (`psycopg_pool`), retried on a
deadlock; the worker's hot path (a claim without rate limits, a post sent, retried or released)
is a single statement with its event, one round trip and one commit. The schema is migrated
forward on open. `schema` keeps the tables in a schema of
their own (created if missing): several queues may share one database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from campaign import tid
from campaign.errors import LeaseLost, QueueError
from campaign.models import Job, RemoteRef, utc
from campaign.queue.postgres_admin import Cursor, PostgresAdmin, campaign_from_row, job_from_row
from campaign.queue.postgres_conn import (
    CONNECT_TIMEOUT,
    connect,
    migrate,
    parse,
    place,
    set_session,
)
from campaign.queue.postgres_metrics import PostgresMetrics
from campaign.queue.postgres_review import PostgresReview
from campaign.queue.postgres_schema import SQL
from campaign.queue.postgres_threads import PostgresThreads
from campaign.queue.store import (
    DEFAULT_LEASE,
    CampaignRecord,
    Claim,
    EnqueueItem,
    EnqueueReport,
    Limit,
    NewJob,
    check_new,
    decide,
    draft_to_json,
    keeps_time,
    thread_rule,
)
from campaign.queue.store import ts as _ts
from campaign.redact import redact, redact_opt, register

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

T = TypeVar("T")
#: connections per store: a worker's main loop, its lease heartbeat and its posts in flight
DEFAULT_POOL = 16
RECONCILING = "reconciling: an earlier attempt may have landed"
#: an enqueue adding this many jobs refreshes the planner's statistics of `jobs`
ANALYZE_AFTER = 200


class _OverLimit(Exception):
    def __init__(self, account: str) -> None:
        self.account = account


class PostgresStore(PostgresMetrics, PostgresReview, PostgresThreads, PostgresAdmin):
    """The `Store` on a PostgreSQL database (`postgresql://user@host:port/dbname`).

    `clock` replaces the database's clock in tests (time moved by hand); `media_dir` is the
    local cache images are fetched into (default: the user cache folder)."""

    def __init__(self, url: str, *, schema: str | None = None, clock: Callable[[], datetime] | None = None,
                 media_dir: Path | str | None = None, pool_size: int = DEFAULT_POOL) -> None:
        from psycopg_pool import ConnectionPool

        params = parse(url)
        register(params.get("password"))
        self.url, self.schema, self.clock = url, schema, clock
        self.where = place(params, url)
        if media_dir is None:
            from platformdirs import user_cache_dir

            media_dir = Path(user_cache_dir("campaign")) / "media"
        self.media_dir = Path(media_dir)
        conn = connect(url, params, self.where)
        try:
            set_session(conn, schema)
            current = migrate(conn, schema, self.where)
        finally:
            conn.close()
        self.channel = f"campaign_queue:{current}"[:63]
        kwargs: dict[str, Any] = {"autocommit": True}
        if "connect_timeout" not in params:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT
        self._pool: ConnectionPool[Any] = ConnectionPool(
            url, min_size=1, max_size=max(2, pool_size), kwargs=kwargs, open=True, timeout=60,
            configure=lambda c: set_session(c, schema), name=f"campaign-{self.where}")
        self._init_listener()

    def __str__(self) -> str:
        """The queue as a URL without user or password: `postgresql://host:port/db?schema=...`."""
        return f"postgresql://{self.where}" + (f"?schema={self.schema}" if self.schema else "")

    # -- plumbing ---------------------------------------------------------------------------

    def _error(self, e: BaseException) -> QueueError:
        """A driver's error as a one-line QueueError naming the server (never the password)."""
        import psycopg
        from psycopg_pool import PoolTimeout

        from campaign.queue.postgres_conn import first_line

        if isinstance(e, PoolTimeout):
            return QueueError(f"the PostgreSQL queue at {self.where} did not answer in time (no free connection)")
        if isinstance(e, psycopg.OperationalError):
            return QueueError(f"the PostgreSQL queue at {self.where}: {first_line(e)}")
        return QueueError(f"the PostgreSQL queue at {self.where} refused: {first_line(e)}")

    def _run(self, fn: Callable[[Cursor], T], *, tx: bool = True) -> T:
        """`fn(cursor)` in one transaction (with `tx=False`, each statement is its own: for one
        statement, one round trip less each way); run again (up to 4 times in all) when the
        database broke a deadlock or a serialization conflict by rolling it back."""
        import psycopg
        from psycopg import errors
        from psycopg.rows import dict_row
        from psycopg_pool import PoolTimeout

        for attempt in range(4):
            try:
                with self._pool.connection() as conn:
                    scope: AbstractContextManager[Any] = conn.transaction() if tx else nullcontext()
                    with scope, conn.cursor(row_factory=dict_row) as cur:
                        return fn(cur)
            except (errors.DeadlockDetected, errors.SerializationFailure) as e:
                if attempt == 3:
                    raise self._error(e) from None
            except (psycopg.Error, PoolTimeout) as e:
                raise self._error(e) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _db_now(self) -> datetime | None:
        """The injected clock (tests), else None: the SQL then reads the database's own."""
        return utc(self.clock()) if self.clock is not None else None

    def _notify(self, c: Cursor) -> None:
        """Wake the idle workers (delivered when this transaction commits)."""
        c.execute(SQL["notify"], {"channel": self.channel, "payload": ""})

    def close(self) -> None:
        self._close_listener()
        self._pool.close()

    # -- campaigns --------------------------------------------------------------------------

    def save_campaign(self, record: CampaignRecord, *, now: datetime) -> CampaignRecord:
        params = {"slug": record.slug, "name": record.name, "zone": record.zone, "language": record.language,
                  "base_dir": record.base_dir, "config_path": record.config_path,
                  "accounts": json.dumps(record.accounts, sort_keys=True), "anchor": utc(record.anchor),
                  "now": utc(now)}

        def tx(c: Cursor) -> dict[str, Any]:
            c.execute(SQL["save_campaign"], params)
            return self._save_review_policy(c, record)

        return campaign_from_row(self._run(tx))

    def campaign(self, slug: str) -> CampaignRecord | None:
        row = self._run(lambda c: c.execute(SQL["campaign"], {"slug": slug}).fetchone())
        return campaign_from_row(row) if row else None

    def campaigns(self) -> list[CampaignRecord]:
        return [campaign_from_row(r) for r in self._run(lambda c: c.execute(SQL["campaigns"]).fetchall())]

    # -- enqueue ----------------------------------------------------------------------------

    def enqueue(self, campaign: str, jobs: list[NewJob], *, now: datetime, replan: bool = False) -> EnqueueReport:
        n = utc(now)
        wanted: set[str] = set()
        for nj in jobs:  # checked whole before anything is written: a refused plan costs no id
            check_new(campaign, nj, wanted)
        items = self._run(lambda c: self._enqueue(c, campaign, jobs, wanted, n, replan))
        items.sort(key=lambda i: i.dedupe_key)
        return EnqueueReport(campaign, tuple(items))

    def _enqueue(self, c: Cursor, campaign: str, jobs: list[NewJob], wanted: set[str],
                 n: datetime, replan: bool) -> list[EnqueueItem]:
        c.execute(SQL["enqueue_lock"])
        existing = {r["dedupe_key"]: r for r in c.execute(SQL["campaign_jobs"], {"campaign": campaign})}
        new = [nj.dedupe_key for nj in jobs if nj.dedupe_key not in existing]
        if new:
            if c.execute(SQL["campaign_exists"], {"campaign": campaign}).fetchone() is None:
                raise QueueError(f"no campaign '{campaign}' in the queue; save it before queueing its jobs")
            taken = c.execute(SQL["taken_keys"], {"keys": new, "campaign": campaign}).fetchone()
            if taken is not None:
                raise QueueError(f"job {taken['dedupe_key']} is already queued by another campaign")
        last = (c.execute(SQL["max_key"]).fetchone() or {}).get("k")
        micros = max(int(n.timestamp() * 1_000_000), tid.micros(last) + 1 if last else 0)
        items: list[EnqueueItem] = []
        requeued: dict[tuple[str, str], int] = {}  # thread → first part queued again
        doubtful: set[tuple[str, str]] = set()  # threads with a failed part that may have landed
        for nj in jobs:
            key, run_at = nj.dedupe_key, utc(nj.run_at)
            params: dict[str, Any] = {
                "campaign": campaign, "account": nj.account, "platform": nj.platform,
                "highlight_id": nj.highlight_id, "part": nj.part, "parts": nj.parts, "dedupe_key": key,
                "run_at": run_at, "zone": nj.zone, "draft": draft_to_json(nj.draft),
                "content_hash": nj.content_hash, "now": n,
            }
            notes = "; ".join(nj.notes)
            row = existing.get(key)
            if row is None:
                params["idempotency_key"] = tid.mint(datetime.fromtimestamp(micros / 1e6, UTC))
                params["detail"] = redact(notes) if notes else None
                micros += 1
                inserted = c.execute(SQL["insert"], params).fetchone()
                assert inserted is not None
                items.append(EnqueueItem(inserted["job_id"], key, "added", "todo"))
                continue
            outcome, reason = decide(row["status"], row["uncertain"], row["content_hash"] == nj.content_hash,
                                     row["run_at"] == run_at, by_hand=row["by_hand"], replan=replan)
            keep = keeps_time(row["status"], row["by_hand"], replan)
            if keep:
                params["run_at"] = run_at = row["run_at"].astimezone(UTC)
            thread = (nj.account, nj.highlight_id)
            outcome, reason = thread_rule((outcome, reason), row["status"], bool(row["uncertain"]), thread,
                                          nj.part, requeued, doubtful)
            status = row["status"]
            if outcome in ("updated", "requeued"):
                params["id"] = row["id"]
                if c.execute(SQL["update_draft" if outcome == "updated" else "requeue_draft"], params).rowcount != 1:
                    raise QueueError(f"job #{row['id']} changed while queueing; run `campaign queue` again")
                if row["by_hand"] and not keep:
                    c.execute(SQL["hand_set"], {"id": row["id"], "by_hand": None})
                self._event(c, row["id"], outcome, n, 0, None,
                            f"{reason}; run_at {_ts(run_at)}" + (f"; {notes}" if notes else ""))
                status = "todo"
                if outcome == "requeued":
                    requeued.setdefault(thread, nj.part)
            items.append(EnqueueItem(row["id"], key, outcome, status, reason))
        items += self._drop(c, existing, wanted, n)
        if sum(i.outcome == "added" for i in items) >= ANALYZE_AFTER:
            # fresh statistics, so claims walk the due index in order instead of sorting every due job
            c.execute("ANALYZE jobs")
        items = self._order_threads(c, campaign, items, n)
        self._review_sync(c, campaign, jobs, n)
        if any(i.outcome in ("added", "updated", "requeued") for i in items):
            self._notify(c)
        return items

    def _drop(self, c: Cursor, existing: Mapping[str, Mapping[str, Any]], wanted: set[str],
              n: datetime) -> list[EnqueueItem]:
        """Cancel the jobs no longer planned that cannot have gone out; report the others."""
        why = "no longer in the campaign config"
        items = []
        for key, row in existing.items():
            if key in wanted:
                continue
            if row["status"] == "todo" and not row["uncertain"]:
                if c.execute(SQL["set_status"], {"id": row["id"], "status": "cancelled", "old": "todo",
                                                 "now": n}).rowcount != 1:
                    raise QueueError(f"job #{row['id']} changed while queueing; run `campaign queue` again")
                self._event(c, row["id"], "cancelled", n, 0, None, why)
                items.append(EnqueueItem(row["id"], key, "cancelled", "cancelled", why))
            elif row["status"] in ("todo", "doing"):
                items.append(EnqueueItem(row["id"], key, "kept", row["status"],
                                         "no longer in the config, but it may be going out; left alone"))
        return items

    # -- the worker -------------------------------------------------------------------------

    def _blocked(self, c: Cursor, limits: Mapping[str, Limit], now: datetime) -> dict[str, datetime]:
        """Accounts at their rate limit, and when each may post again (one query for all)."""
        if not limits:
            return {}
        names = sorted(limits)
        rows = c.execute(SQL["blocked"], {
            "accounts": names, "since": [now - limits[a].per for a in names],
            "posts": [limits[a].posts for a in names], "per": [limits[a].per for a in names],
        }).fetchall()
        return {r["account"]: r["nth"].astimezone(UTC) + limits[r["account"]].per
                for r in rows if r["nth"] is not None}

    def _over_limit(self, c: Cursor, account: str, limits: Mapping[str, Limit], now: datetime) -> bool:
        """Is `account` at its limit? Asked under a lock on the account, so two workers picking
        its jobs at once count each other's starts."""
        c.execute(SQL["rate_lock"], {"account": account})
        return account in self._blocked(c, {account: limits[account]}, now)

    def claim(self, owner: str, *, now: datetime, lease: timedelta = DEFAULT_LEASE,
              limits: Mapping[str, Limit] | None = None, busy: Collection[str] = ()) -> Claim | None:
        n = utc(now)
        if limits:  # checked again under a lock on the picked job's account: a transaction
            return self._run(lambda c: self._claim(c, owner, n, lease, limits, busy))
        params = {"owner": owner, "now": n, "db_now": self._db_now(), "lease": lease, "blocked": sorted(busy),
                  "reconciling": RECONCILING}
        while True:  # one statement: the row, its "started" event, the previous part's post
            row = self._run(lambda c: c.execute(SQL["claim_one"], params).fetchone(), tx=False)
            if row is None:
                return None
            try:
                job = job_from_row(row)
            except (ValueError, TypeError, KeyError, AttributeError) as e:
                self._poisoned(row, owner, n, e)
                continue
            if job.part > 0 and not row["prev_found"]:  # the claim makes this impossible; refuse rather than guess
                raise QueueError(f"job #{job.id}: previous part not sent")
            reply_to = RemoteRef(row["prev_id"], row["prev_url"], json.loads(row["prev_extra"])) \
                if job.part > 0 else None
            return Claim(job, owner, bool(row["uncertain"]), reply_to)

    def _poisoned(self, row: Mapping[str, Any], owner: str, n: datetime, error: Exception) -> None:
        """Fail a claimed row the worker cannot read (an unparsable draft) alone, with its reason."""
        why = f"unreadable job in the queue: {type(error).__name__}: {str(error)[:200]}"

        def tx(c: Cursor) -> None:
            if c.execute(SQL["fail"], {"id": row["id"], "owner": owner, "now": n, "error": why,
                                       "uncertain": False}).fetchone() is not None:
                self._event(c, row["id"], "failed", n, row["attempts"], owner, why)

        self._run(tx)

    def _claim(self, c: Cursor, owner: str, n: datetime, lease: timedelta, limits: Mapping[str, Limit],
               busy: Collection[str]) -> Claim | None:
        skip = set(self._blocked(c, limits, n)) | set(busy)
        while True:
            params = {"owner": owner, "now": n, "db_now": self._db_now(), "lease": lease,
                      "blocked": sorted(skip)}
            # a savepoint when limits apply: a job picked for an account found at its limit is put back
            scope: AbstractContextManager[Any] = c.connection.transaction() if limits else nullcontext()
            try:
                with scope:
                    row = c.execute(SQL["claim"], params).fetchone()
                    if row is None:
                        return None
                    if row["account"] in limits and self._over_limit(c, row["account"], limits, n):
                        raise _OverLimit(row["account"])
            except _OverLimit as e:
                skip.add(e.account)
                continue
            try:
                job = job_from_row(row)
                break
            except (ValueError, TypeError, KeyError, AttributeError) as e:
                # a poisoned row (an unparsable draft) fails alone, with its reason; the rest goes on
                why = f"unreadable job in the queue: {type(e).__name__}: {str(e)[:200]}"
                c.execute(SQL["fail"], {"id": row["id"], "owner": owner, "now": n, "error": why,
                                        "uncertain": False})
                self._event(c, row["id"], "failed", n, row["attempts"], owner, why)
        uncertain = bool(row["uncertain"])
        self._event(c, job.id, "started", n, job.attempts, owner, RECONCILING if uncertain else None)
        reply_to = None
        if job.part > 0:
            prev = c.execute(SQL["prev_ref"], {"campaign": job.campaign, "account": job.account,
                                               "highlight_id": job.highlight_id, "part": job.part - 1}).fetchone()
            if prev is None:  # the claim query makes this impossible; refuse rather than guess
                raise QueueError(f"job #{job.id}: previous part not sent")
            reply_to = RemoteRef(prev["remote_id"], prev["remote_url"], json.loads(prev["remote_extra"]))
        return Claim(job, owner, uncertain, reply_to)

    def extend(self, job_id: int, owner: str, *, lease: timedelta = DEFAULT_LEASE) -> bool:
        params = {"id": job_id, "owner": owner, "lease": lease, "db_now": self._db_now()}
        return self._run(lambda c: c.execute(SQL["extend"], params).rowcount == 1)

    def _transition(self, name: str, job_id: int, owner: str, params: dict[str, Any], kind: str,
                    now: datetime, detail: str | None) -> Job:
        n = utc(now)
        if kind != "failed":  # one statement: the move and its event; then wake idle workers
            args = {"id": job_id, "owner": owner, "now": n, "kind": kind, "detail": redact_opt(detail), **params}
            row = self._run(lambda c: c.execute(SQL[f"{name}_one"], args).fetchone(), tx=False)
            if row is None:
                cur = self._run(lambda c: c.execute(SQL["get"], {"id": job_id}).fetchone())
                state = f"{cur['status']}, held by {cur['locked_by']}" if cur else "missing"
                raise LeaseLost(f"job #{job_id} is no longer held by this worker ({state})",
                                job_id=job_id, owner=owner)
            job = job_from_row(row)
            # back in the queue, or the next part of its thread may go now
            if kind in ("retry", "released") or job.part + 1 < job.parts:
                self._run(self._notify, tx=False)
            return job

        def tx(c: Cursor) -> Job:
            row = c.execute(SQL[name], {"id": job_id, "owner": owner, "now": n, **params}).fetchone()
            if row is None:
                cur = c.execute(SQL["get"], {"id": job_id}).fetchone()
                state = f"{cur['status']}, held by {cur['locked_by']}" if cur else "missing"
                raise LeaseLost(f"job #{job_id} is no longer held by this worker ({state})",
                                job_id=job_id, owner=owner)
            job = job_from_row(row)
            self._event(c, job_id, kind, n, job.attempts, owner, detail)
            self._later_parts(c, job, "failed", f"part {job.part + 1} of the thread failed", n)
            return job

        return self._run(tx)

    def succeed(self, job_id: int, owner: str, ref: RemoteRef, *, now: datetime,
                reconciled: bool = False) -> Job:
        params = {"remote_id": ref.id, "remote_url": ref.url, "remote_extra": json.dumps(ref.extra, sort_keys=True)}
        detail = ("found by reconciling: " if reconciled else "") + (ref.url or ref.id)
        return self._transition("succeed", job_id, owner, params, "succeeded", now, detail)

    def retry_later(self, job_id: int, owner: str, *, run_at: datetime, error: str,
                    now: datetime, uncertain: bool) -> Job:
        error = redact(error)
        at = utc(run_at)
        detail = f"{error}; next attempt {_ts(at)}" + ("; may have landed" if uncertain else "")
        return self._transition("retry_later", job_id, owner, {"run_at": at, "error": error,
                                                               "uncertain": bool(uncertain)}, "retry", now, detail)

    def fail(self, job_id: int, owner: str, *, error: str, now: datetime, uncertain: bool = False) -> Job:
        error = redact(error)
        detail = error + ("; may have landed: it is looked for before any new attempt" if uncertain else "")
        return self._transition("fail", job_id, owner, {"error": error, "uncertain": bool(uncertain)}, "failed",
                                now, detail)

    def release(self, job_id: int, owner: str, *, now: datetime) -> Job:
        return self._transition("release", job_id, owner, {}, "released", now, "worker stopping; not sent")

    def lease_owners(self) -> list[str]:
        return [r["locked_by"] for r in self._run(lambda c: c.execute(SQL["owners"]).fetchall())]

    def expire_leases(self, owner: str, *, now: datetime, reason: str) -> int:
        n = utc(now)

        def tx(c: Cursor) -> int:
            rows = c.execute(SQL["expire"], {"owner": owner, "db_now": self._db_now()}).fetchall()
            for r in rows:
                self._event(c, r["id"], "lease-expired", n, r["attempts"], owner, reason)
            if rows:
                self._notify(c)
            return len(rows)

        return self._run(tx)

    def next_wake(self, *, now: datetime, limits: Mapping[str, Limit] | None = None) -> datetime | None:
        n = utc(now)

        def tx(c: Cursor) -> tuple[dict[str, datetime], dict[str, Any]]:
            blocked = self._blocked(c, limits or {}, n)
            row = c.execute(SQL["next_wake"], {"blocked": sorted(blocked), "db_now": self._db_now()}).fetchone()
            assert row is not None
            return blocked, row

        blocked, row = self._run(tx)
        times = [row["todo"].astimezone(UTC)] if row["todo"] else []
        if row["lease"]:  # when the lease ends by the database's clock, told on the caller's
            times.append(n + (row["lease"] - row["db_now"]))
        times += [t for a, t in blocked.items() if a in set(row["pending"])]
        return min(times) if times else None
