"""The in-memory job store (tests, dry runs): the `Store` contract without a database.

Same rules and results as `SqliteStore`, event for event. One lock serializes every
method, so threads of one process may share a store (the worker's heartbeat does);
a method that raises leaves the store as it found it, like a rolled-back transaction.
Rows are frozen and replaced on change; drafts, remote extras and accounts are kept
as JSON, so nothing a caller holds aliases the store's state.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaign import tid
from campaign.errors import LeaseLost, QueueError
from campaign.models import Job, JobStatus, MetricsSnapshot, RemoteRef, ReviewState, utc
from campaign.queue.media import FolderMedia, Sleeps
from campaign.queue.memory_review import MemoryReview, review_fields
from campaign.queue.memory_threads import MemoryThreads
from campaign.queue.metrics import MemoryMetrics
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
    thread_rule,
    ts,
)
from campaign.redact import redact, redact_opt

_Thread = tuple[str, str, str]  # campaign, account, highlight_id
_Part = tuple[str, str, str, int]  # a thread and a part of it


@dataclass(frozen=True, slots=True)
class _Row:
    """One job as the store keeps it (the columns of SQLite's `jobs` table)."""

    id: int
    campaign: str
    account: str
    platform: str
    highlight_id: str
    part: int
    parts: int
    dedupe_key: str
    idempotency_key: str
    run_at: datetime
    zone: str
    draft: str
    content_hash: str
    created_at: datetime
    updated_at: datetime
    status: JobStatus = "todo"
    attempts: int = 0
    uncertain: bool = False
    locked_by: str | None = None
    locked_until: datetime | None = None
    last_error: str | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    remote_extra: str = "{}"
    review: ReviewState = "pending"  # review (campaign.queue.memory_review)
    approvals: tuple[str, ...] = ()
    reviewed_hash: str | None = None
    approved_text: str | None = None
    context: str | None = None
    by_hand: str | None = None  # the organizer's edit kept by re-queues (campaign.queue.threads)

    @property
    def thread(self) -> _Thread:
        return (self.campaign, self.account, self.highlight_id)


def _limited(rows: list[_Row], limit: int) -> list[_Row]:
    """SQL's LIMIT: a negative limit means none."""
    return rows if limit < 0 else rows[:limit]


def _job(row: _Row) -> Job:
    return Job(
        id=row.id, campaign=row.campaign, account=row.account, platform=row.platform,
        highlight_id=row.highlight_id, part=row.part, parts=row.parts, dedupe_key=row.dedupe_key,
        status=row.status, run_at=row.run_at, zone=row.zone, draft=draft_from_json(row.draft),
        attempts=row.attempts, locked_until=row.locked_until, last_error=row.last_error,
        remote_id=row.remote_id, remote_url=row.remote_url, remote_extra=json.loads(row.remote_extra),
        idempotency_key=row.idempotency_key, created_at=row.created_at, updated_at=row.updated_at,
        **review_fields(row),
    )


def _record(saved: tuple[CampaignRecord, str]) -> CampaignRecord:
    record, accounts = saved
    return replace(record, accounts=json.loads(accounts))


def _lease_end(row: _Row) -> datetime:
    assert row.locked_until is not None  # every doing job holds a lease
    return row.locked_until


class MemoryStore(MemoryMetrics, MemoryReview, MemoryThreads, FolderMedia, Sleeps):
    """The `Store` in this process's memory; `media_dir` defaults to a temporary folder.

    Leases are judged by the store's clock (this process's UTC clock, or `clock` in
    tests), never by the `now` a worker passes, as SQLite's store judges them by its own."""

    _to_job = staticmethod(_job)  # the row mapper the review mixin uses (no import cycle)

    def __init__(self, media_dir: Path | str | None = None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock
        self._tmp = tempfile.TemporaryDirectory(prefix="campaign-media-") if media_dir is None else None
        self.media_dir = Path(self._tmp.name) if self._tmp else Path(str(media_dir))
        self._lock = threading.Lock()
        self._jobs: dict[int, _Row] = {}  # by id, ids ascending
        self._events: list[JobEvent] = []
        self._campaigns: dict[str, tuple[CampaignRecord, str]] = {}  # the record, its accounts as JSON
        self._closed = False
        self._doubtful: set[tuple[str, str]] = set()  # in `enqueue`: threads with a failed part in doubt
        self._replan = False  # in `enqueue`: the organizer's edits by hand are dropped
        self._metrics: list[MetricsSnapshot] = []  # metrics snapshots, appended (`campaign report`)

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[None]:
        with self._lock:
            if self._closed:
                raise QueueError("the in-memory queue is closed")
            yield

    @contextmanager
    def _tx(self) -> Iterator[None]:
        """One transaction: on any exception, undo every change made inside it."""
        with self._read():
            jobs, campaigns, events = dict(self._jobs), dict(self._campaigns), len(self._events)
            try:
                yield
            except BaseException:
                self._jobs, self._campaigns = jobs, campaigns
                del self._events[events:]
                raise

    def _row(self, job_id: int) -> _Row:
        row = self._jobs.get(job_id)
        if row is None:
            raise QueueError(f"no job #{job_id}")
        return row

    def _put(self, row: _Row) -> _Row:
        self._jobs[row.id] = row
        return row

    def _event(self, job_id: int, kind: str, at: datetime, attempt: int, owner: str | None = None,
               detail: str | None = None) -> None:
        self._events.append(JobEvent(len(self._events) + 1, job_id, utc(at), kind, attempt, owner,
                                     redact_opt(detail)))

    def _db_now(self) -> datetime:
        """The store's clock: what leases are judged by."""
        return utc(self.clock()) if self.clock is not None else datetime.now(UTC)

    def _sent(self) -> set[_Part]:
        return {(*r.thread, r.part) for r in self._jobs.values() if r.status == "succeeded"}

    @staticmethod
    def _ready(row: _Row, sent: set[_Part]) -> bool:
        """Part 0, or the previous part of its thread went out."""
        return row.part == 0 or (*row.thread, row.part - 1) in sent

    def _later(self, row: _Row, states: tuple[str, ...]) -> list[_Row]:
        """The later parts of `row`'s thread in one of `states`, by id (SQLite's UPDATE order)."""
        return [r for r in self._jobs.values()
                if r.thread == row.thread and r.part > row.part and r.status in states]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._tmp is not None:
                self._tmp.cleanup()

    # -- campaigns --------------------------------------------------------------------------

    def save_campaign(self, record: CampaignRecord, *, now: datetime) -> CampaignRecord:
        accounts = json.dumps(record.accounts, sort_keys=True)
        anchor, _ = utc(record.anchor), utc(now)
        with self._tx():
            old = self._campaigns.get(record.slug)
            if old is not None:
                anchor = old[0].anchor  # the first queueing fixed what `start: now` meant
            saved = self._campaigns[record.slug] = (replace(record, anchor=anchor, accounts={}), accounts)
            return _record(saved)

    def campaign(self, slug: str) -> CampaignRecord | None:
        with self._read():
            saved = self._campaigns.get(slug)
            return _record(saved) if saved else None

    def campaigns(self) -> list[CampaignRecord]:
        with self._read():
            return [_record(self._campaigns[slug]) for slug in sorted(self._campaigns)]

    # -- enqueue ----------------------------------------------------------------------------

    def enqueue(self, campaign: str, jobs: list[NewJob], *, now: datetime, replan: bool = False) -> EnqueueReport:
        now = utc(now)
        self._replan = replan
        items: list[EnqueueItem] = []
        with self._tx():
            existing = {r.dedupe_key: r for r in sorted(
                (r for r in self._jobs.values() if r.campaign == campaign),
                key=lambda r: (r.account, r.highlight_id, r.part, r.id))}
            last = max((r.idempotency_key for r in self._jobs.values()), default=None)
            taken = {r.dedupe_key for r in self._jobs.values() if r.campaign != campaign}
            micros = max(int(now.timestamp() * 1_000_000), tid.micros(last) + 1 if last else 0)
            wanted: set[str] = set()
            requeued: dict[tuple[str, str], int] = {}  # thread → first part queued again
            self._doubtful = set()
            for nj in jobs:
                check_new(campaign, nj, wanted)
                row = existing.get(nj.dedupe_key)
                if row is None:
                    items.append(self._insert(nj, now, micros, taken))
                    micros += 1
                else:
                    items.append(self._requeue(row, nj, now, requeued))
            items += self._drop(existing, wanted, now)
            items = self._order_threads(campaign, items, now)
            self._review_sync(campaign, jobs, now)
        items.sort(key=lambda i: i.dedupe_key)
        return EnqueueReport(campaign, tuple(items))

    def _insert(self, nj: NewJob, now: datetime, micros: int, taken: set[str]) -> EnqueueItem:
        if nj.campaign not in self._campaigns:
            raise QueueError(f"no campaign '{nj.campaign}' in the queue; save it before queueing its jobs")
        if nj.dedupe_key in taken:  # another campaign's job with the same key
            raise QueueError(f"job {nj.dedupe_key} is already queued by another campaign")
        job_id = next(reversed(self._jobs), 0) + 1
        self._put(_Row(
            id=job_id, campaign=nj.campaign, account=nj.account, platform=nj.platform,
            highlight_id=nj.highlight_id, part=nj.part, parts=nj.parts, dedupe_key=nj.dedupe_key,
            idempotency_key=tid.mint(datetime.fromtimestamp(micros / 1e6, UTC)), run_at=utc(nj.run_at),
            zone=nj.zone, draft=draft_to_json(nj.draft), content_hash=nj.content_hash,
            created_at=now, updated_at=now,
        ))
        self._event(job_id, "queued", now, 0, detail="; ".join(nj.notes) or None)
        return EnqueueItem(job_id, nj.dedupe_key, "added", "todo")

    def _requeue(self, row: _Row, nj: NewJob, now: datetime, requeued: dict[tuple[str, str], int]) -> EnqueueItem:
        run_at = utc(nj.run_at)
        outcome, reason = decide(row.status, row.uncertain, row.content_hash == nj.content_hash,
                                 row.run_at == run_at, by_hand=row.by_hand, replan=self._replan)
        keep = keeps_time(row.status, row.by_hand, self._replan)
        run_at = row.run_at if keep else run_at
        thread = (nj.account, nj.highlight_id)
        outcome, reason = thread_rule((outcome, reason), row.status, row.uncertain, thread, nj.part, requeued,
                                      self._doubtful)
        if outcome not in ("updated", "requeued"):
            return EnqueueItem(row.id, nj.dedupe_key, outcome, row.status, reason)
        edited = replace(row, platform=nj.platform, parts=nj.parts, run_at=run_at, zone=nj.zone,
                         draft=draft_to_json(nj.draft), content_hash=nj.content_hash, updated_at=now,
                         by_hand=row.by_hand if keep else None)
        if outcome == "requeued":
            edited = replace(edited, status="todo", attempts=0, last_error=None)
            requeued.setdefault(thread, nj.part)
        self._put(edited)
        notes = "; ".join(nj.notes)
        self._event(row.id, outcome, now, 0,
                    detail=f"{reason}; run_at {ts(run_at)}" + (f"; {notes}" if notes else ""))
        return EnqueueItem(row.id, nj.dedupe_key, outcome, "todo", reason)

    def _drop(self, existing: dict[str, _Row], wanted: set[str], now: datetime) -> list[EnqueueItem]:
        """Cancel the jobs no longer planned that cannot have gone out; report the others."""
        why = "no longer in the campaign config"
        items = []
        for key, row in existing.items():
            if key in wanted:
                continue
            if row.status == "todo" and not row.uncertain:
                self._put(replace(row, status="cancelled", updated_at=now))
                self._event(row.id, "cancelled", now, 0, detail=why)
                items.append(EnqueueItem(row.id, key, "cancelled", "cancelled", why))
            elif row.status in ("todo", "doing"):
                items.append(EnqueueItem(row.id, key, "kept", row.status,
                                         "no longer in the config, but it may be going out; left alone"))
        return items

    # -- the worker -------------------------------------------------------------------------

    def _blocked(self, limits: Mapping[str, Limit], now: datetime) -> dict[str, datetime]:
        """Accounts at their rate limit, and when each may post again."""
        out = {}
        for account, lim in limits.items():
            since = utc(now - lim.per)
            starts = sorted((e.at for e in self._events if e.kind == "started" and e.at > since
                             and self._jobs[e.job_id].account == account), reverse=True)[:lim.posts]
            if len(starts) >= lim.posts:
                out[account] = starts[-1] + lim.per
        return out

    def _claimable(self, now: datetime, blocked: Mapping[str, datetime]) -> _Row | None:
        """An expired lease first (oldest first), else the earliest due job whose thread is ready."""
        rows = [r for r in self._jobs.values() if r.account not in blocked]
        db_now = self._db_now()
        expired = [r for r in rows if r.status == "doing" and _lease_end(r) <= db_now]
        if expired:
            return min(expired, key=lambda r: (_lease_end(r), r.id))
        sent = self._sent()
        due = [r for r in rows if r.status == "todo" and r.run_at <= now and self._ready(r, sent)
               and self._reviewed(r)]
        return min(due, key=lambda r: (r.run_at, r.id), default=None)

    def _reply_to(self, row: _Row) -> RemoteRef | None:
        if row.part == 0:
            return None
        prev = next((r for r in self._jobs.values() if r.thread == row.thread
                     and r.part == row.part - 1 and r.status == "succeeded"), None)
        if prev is None or prev.remote_id is None:  # claim makes this impossible; refuse rather than guess
            raise QueueError(f"job #{row.id}: previous part not sent")
        return RemoteRef(prev.remote_id, prev.remote_url, json.loads(prev.remote_extra))

    def claim(self, owner: str, *, now: datetime, lease: timedelta = DEFAULT_LEASE,
              limits: Mapping[str, Limit] | None = None, busy: Collection[str] = ()) -> Claim | None:
        now = utc(now)
        with self._tx():
            blocked = self._blocked(limits, now) if limits else {}
            blocked.update(dict.fromkeys(busy, now))  # in flight in the caller: not claimable
            row = self._claimable(now, blocked)
            until = self._db_now() + lease
            if row is None:
                return None
            row = self._put(replace(row, status="doing", attempts=row.attempts + 1, locked_by=owner,
                                    locked_until=until, updated_at=now,
                                    uncertain=row.uncertain or row.status == "doing"))
            self._event(row.id, "started", now, row.attempts, owner,
                        "reconciling: an earlier attempt may have landed" if row.uncertain else None)
            reply_to = self._reply_to(row)
        return Claim(_job(row), owner, row.uncertain, reply_to)

    def extend(self, job_id: int, owner: str, *, lease: timedelta = DEFAULT_LEASE) -> bool:
        with self._tx():
            row = self._jobs.get(job_id)
            db_now = self._db_now()
            if row is None or row.status != "doing" or row.locked_by != owner or _lease_end(row) <= db_now:
                return False
            self._put(replace(row, locked_until=db_now + lease))
            return True

    def _transition(self, job_id: int, owner: str, now: datetime, kind: str, detail: str | None,
                    change: Callable[[_Row], _Row]) -> Job:
        """Move `owner`'s doing job on (`change`), releasing its lease; else LeaseLost."""
        now = utc(now)
        with self._tx():
            row = self._jobs.get(job_id)
            if row is None or row.status != "doing" or row.locked_by != owner:
                state = f"{row.status}, held by {row.locked_by}" if row else "missing"
                raise LeaseLost(f"job #{job_id} is no longer held by this worker ({state})",
                                job_id=job_id, owner=owner)
            row = self._put(replace(change(row), locked_by=None, locked_until=None, updated_at=now))
            self._event(job_id, kind, now, row.attempts, owner, detail)
            if kind == "failed":
                self._later_parts(row, "failed", f"part {row.part + 1} of the thread failed", now)
        return _job(row)

    def _later_parts(self, row: _Row, status: JobStatus, why: str, now: datetime) -> list[int]:
        """Fail or cancel the queued later parts of `row`'s thread with it."""
        done = []
        for r in self._later(row, ("todo",)):
            self._put(replace(r, status=status, last_error=why if status == "failed" else None,
                              updated_at=now))
            self._event(r.id, status, now, r.attempts, None, why)
            done.append(r.id)
        return done

    def succeed(self, job_id: int, owner: str, ref: RemoteRef, *, now: datetime,
                reconciled: bool = False) -> Job:
        extra = json.dumps(ref.extra, sort_keys=True)
        detail = ("found by reconciling: " if reconciled else "") + (ref.url or ref.id)
        return self._transition(job_id, owner, now, "succeeded", detail, lambda r: replace(
            r, status="succeeded", remote_id=ref.id, remote_url=ref.url, remote_extra=extra,
            uncertain=False, last_error=None))

    def retry_later(self, job_id: int, owner: str, *, run_at: datetime, error: str,
                    now: datetime, uncertain: bool) -> Job:
        at = utc(run_at)
        error = redact(error)
        detail = f"{error}; next attempt {ts(at)}" + ("; may have landed" if uncertain else "")
        return self._transition(job_id, owner, now, "retry", detail, lambda r: replace(
            r, status="todo", run_at=at, last_error=error, uncertain=bool(uncertain)))

    def fail(self, job_id: int, owner: str, *, error: str, now: datetime, uncertain: bool = False) -> Job:
        error = redact(error)
        detail = error + ("; may have landed: it is looked for before any new attempt" if uncertain else "")
        return self._transition(job_id, owner, now, "failed", detail,
                                lambda r: replace(r, status="failed", last_error=error, uncertain=uncertain))

    def release(self, job_id: int, owner: str, *, now: datetime) -> Job:
        return self._transition(job_id, owner, now, "released", "worker stopping; not sent",
                                lambda r: replace(r, status="todo", attempts=r.attempts - 1))

    def note(self, job_id: int, kind: str, *, now: datetime, owner: str | None = None,
             detail: str | None = None) -> None:
        with self._tx():
            row = self._row(job_id)
            self._event(job_id, kind, now, row.attempts, owner, detail)

    def lease_owners(self) -> list[str]:
        with self._read():
            doing = sorted((r for r in self._jobs.values() if r.status == "doing"), key=lambda r: (r.run_at, r.id))
            return list(dict.fromkeys(r.locked_by for r in doing if r.locked_by is not None))

    def expire_leases(self, owner: str, *, now: datetime, reason: str) -> int:
        now = utc(now)
        with self._tx():
            db_now = self._db_now()
            held = [r for r in self._jobs.values()
                    if r.status == "doing" and r.locked_by == owner and _lease_end(r) > db_now]
            for r in held:
                self._put(replace(r, locked_until=db_now))
                self._event(r.id, "lease-expired", now, r.attempts, owner, reason)
        return len(held)

    def next_wake(self, *, now: datetime, limits: Mapping[str, Limit] | None = None) -> datetime | None:
        with self._read():  # consistent with claim's view of the rate limits
            blocked = self._blocked(limits, now) if limits else {}
            sent = self._sent()
            rows = list(self._jobs.values())
            db_now = self._db_now()
        times = [r.run_at for r in rows if r.status == "todo" and r.account not in blocked and self._ready(r, sent)
                 and self._reviewed(r)]
        # when each lease ends by the store's clock, told on the caller's
        times += [utc(now) + (_lease_end(r) - db_now) for r in rows
                  if r.status == "doing" and r.account not in blocked]  # claim skips those until the limit lifts
        pending = {r.account for r in rows if r.status in ("todo", "doing")}
        times += [t for a, t in blocked.items() if a in pending]
        return min(times, default=None)

    def due(self, *, now: datetime, limit: int = 100) -> list[Job]:
        now = utc(now)
        with self._read():
            sent = self._sent()
            rows = [r for r in self._jobs.values() if r.status == "todo" and r.run_at <= now and self._ready(r, sent)
                    and self._reviewed(r)]
        return [_job(r) for r in _limited(sorted(rows, key=lambda r: (r.run_at, r.id)), limit)]

    # -- inspection and admin ---------------------------------------------------------------

    def get(self, job_id: int) -> Job:
        with self._read():
            return _job(self._row(job_id))

    def jobs(self, *, status: str | None = None, campaign: str | None = None,
             limit: int | None = None) -> list[Job]:
        if status is not None and status not in STATES:
            raise QueueError(f"unknown state '{status}'; use one of {', '.join(STATES)}")
        with self._read():
            rows = [r for r in self._jobs.values() if (status is None or r.status == status)
                    and (campaign is None or r.campaign == campaign)]
        rows.sort(key=lambda r: (r.run_at, r.id))
        return [_job(r) for r in _limited(rows, -1 if limit is None else limit)]

    def counts(self, *, campaign: str | None = None) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(STATES, 0)
        with self._read():
            for r in self._jobs.values():
                if campaign is None or r.campaign == campaign:
                    out[r.status] += 1
        return out

    def events(self, job_id: int) -> list[JobEvent]:
        with self._read():
            self._row(job_id)
            return [e for e in self._events if e.job_id == job_id]

    def cancel(self, *, now: datetime, job_id: int | None = None, campaign: str | None = None) -> list[int]:
        if (job_id is None) == (campaign is None):
            raise QueueError("cancel one job or one campaign")
        now = utc(now)
        with self._tx():
            if campaign is not None:
                return self._cancel_campaign(campaign, now)
            assert job_id is not None
            return self._cancel_job(job_id, now)

    def _cancel_campaign(self, campaign: str, now: datetime) -> list[int]:
        todo = [r for r in self._jobs.values() if r.campaign == campaign and r.status == "todo"]
        for r in todo:
            self._put(replace(r, status="cancelled", updated_at=now))
            self._event(r.id, "cancelled", now, r.attempts, None, "campaign cancelled")
        self._hand_cancel([r.id for r in todo])
        return [r.id for r in todo]

    def _cancel_job(self, job_id: int, now: datetime) -> list[int]:
        row = self._row(job_id)
        if row.status != "todo":
            raise cannot_cancel(job_id, row.status)
        self._put(replace(row, status="cancelled", updated_at=now))
        self._event(row.id, "cancelled", now, row.attempts, None, cancel_detail(row.uncertain))
        ids = [row.id] + self._later_parts(row, "cancelled", f"part {row.part + 1} of the thread cancelled", now)
        self._hand_cancel(ids)
        return ids

    # -- scrubbing --------------------------------------------------------------------------

    def uncertain(self, job_id: int) -> bool:
        with self._read():
            return self._row(job_id).uncertain

    def scrub(self, *, now: datetime) -> list[int]:
        """Rewrite every `last_error` and event detail through redaction (see `SqliteStore.scrub`)."""
        now = utc(now)
        changed: set[int] = set()
        with self._tx():
            for row in list(self._jobs.values()):
                if row.last_error is not None and redact(row.last_error) != row.last_error:
                    self._put(replace(row, last_error=redact(row.last_error)))
                    changed.add(row.id)
            for i, e in enumerate(self._events):
                if e.detail is not None and redact(e.detail) != e.detail:
                    self._events[i] = replace(e, detail=redact(e.detail))
                    changed.add(e.job_id)
            for job_id in sorted(changed):
                self._event(job_id, "scrubbed", now, self._jobs[job_id].attempts, None,
                            "a secret was removed from this job's error and events")
        return sorted(changed)
