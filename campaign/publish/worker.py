"""The dispatch loop: claim due jobs, publish each through its account's adapter, record the result.

Crash safety, step by step:
1. `store.claim` moves the job to `doing` under a lease and records "started" in
   the same transaction, before the platform is called.
2. A lease heartbeat runs while calls are in flight, renewing the lease of every one
   of them, so a slow upload is not mistaken for a dead worker.
3. A job whose lease expired (its worker died mid-call), or whose last error was
   ambiguous, comes back `uncertain`: `adapter.find(draft, key=...)` decides
   whether it landed before anything is sent again.
4. SIGINT/SIGTERM: the calls in flight finish and are recorded, a job claimed but
   not yet sent is released, and `run` returns (the CLI exits 0).
5. The fence: immediately before the platform call the worker renews its lease
   (`store.extend`), which fails when the lease is no longer its own or has run out
   (the worker was paused, SIGSTOP or a suspended laptop, longer than the lease):
   it then sends nothing and leaves the job to the worker that took it over. Leases
   are judged by the store's clock, so a worker whose clock runs ahead cannot take a
   live one. What remains possible on a platform with no idempotency key (X) is told in
   docs/exactly-once.md.
6. Every message that leaves the worker (the store's `last_error` and events, the
   `on_event` hook, logs) passes `campaign.redact`.

Concurrency: with `concurrency` N > 1 a worker keeps up to N posts in flight, each on
a thread of its own (`campaign.publish.inflight`): the platform SDKs are synchronous,
and a post spends its time waiting for the platform. It claims with the accounts in
flight `busy`, so one account's posts, and a thread's parts, still go one at a time
and in order, and no adapter is used by two threads at once. With N = 1 (`step()`),
one post at a time, as before.

A thread's part is claimable only once its previous part succeeded; its
`reply_to` is that part's remote ref. Rate limits (`Account.rate_limit`) are
checked inside the claim transaction, so two workers share them. A platform that
answers 429 holds back that account alone until its retry-after is over
(`campaign.publish.holds`).

When a platform does not answer (timeouts, refused connections: `unreachable`), every due
post of that account would wait the full timeout; after `unreachable_after` such failures in a
row on one account, the worker holds that account's other jobs back for `defer_for` (in a
`run --once`, until the next run): they stay queued, and no attempt is counted.

A post refused as too long although it fitted (`TooLongError`: a server counting URLs in full
while advertising 23) is composed again once, counted as written (`campaign.posts.refit`), and
queued in place of its unsent thread (a shorter template, fewer hashtags, or one more thread
part); the job's events say what happened.
"""

from __future__ import annotations

import inspect
import logging
import signal
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from campaign.errors import (
    CampaignError,
    LeaseLost,
    QueueError,
    RateLimitedError,
    RejectedError,
    TooLongError,
)
from campaign.models import Draft, Job, RemoteRef
from campaign.publish import DEFAULT_CONCURRENCY
from campaign.publish.adapters.base import FIND_SKEW
from campaign.publish.from_store import (
    AdapterFactory,
    StoreAdapters,
    adapters_from_store,
    limits_from_store,
)
from campaign.publish.holds import Holds, unreachable
from campaign.publish.inflight import Heartbeat, InFlight
from campaign.publish.owners import break_dead_leases, dead_owner, worker_id
from campaign.publish.retry import (
    DEFAULT,
    RetryPolicy,
    describe,
    is_ambiguous,
    is_transient,
    next_run,
)
from campaign.queue import DEFAULT_LEASE, MIN_LEASE, Claim, Limit, Store
from campaign.queue.media import local_media
from campaign.redact import redact

__all__ = ["DEFAULT_CONCURRENCY", "AdapterFactory", "RunReport", "StoreAdapters", "Worker",
           "adapters_from_store", "break_dead_leases", "dead_owner", "limits_from_store", "run",
           "unreachable", "worker_id"]

log = logging.getLogger("campaign.publish")

Clock = Callable[[], datetime]
EventHook = Callable[[str, Job, str], None]


#: the shortest idle wait between looks at the queue, whatever `poll` says
MIN_POLL = 0.05

#: how long a worker with posts in flight waits, at most, before it looks at the queue again
BUSY_POLL = 0.25


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunReport:
    """What one `run` did; `due` lists the jobs a dry run would send."""

    succeeded: int = 0
    reconciled: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    lost: int = 0
    refitted: int = 0
    stopped: bool = False
    due: list[Job] = field(default_factory=list)
    deferred: dict[str, str] = field(default_factory=dict)  # account -> why its jobs wait
    most_in_flight: int = 0

    @property
    def handled(self) -> int:
        return self.succeeded + self.reconciled + self.retried + self.failed + self.lost + self.refitted


# --- the loop ------------------------------------------------------------------------------


class Worker:
    """One worker: `run()` loops; `step()` handles one claim (the unit tests drive it)."""

    def __init__(self, store: Store, adapters: AdapterFactory | None = None, *, now: Clock = system_clock,
                 lease: timedelta = DEFAULT_LEASE, policy: RetryPolicy = DEFAULT,
                 limits: Mapping[str, Limit] | None = None, on_event: EventHook | None = None,
                 owner: str | None = None, unreachable_after: int = 2,
                 defer_for: timedelta = timedelta(minutes=10), concurrency: int = 1):
        if lease < MIN_LEASE:
            raise QueueError(f"a lease of {lease.total_seconds():g}s is too short: at least "
                             f"{MIN_LEASE.total_seconds():g}s, so a post in flight is not taken over")
        if concurrency < 1:
            raise QueueError(f"concurrency {concurrency}: at least one post must be allowed in flight")
        self.store = store
        self.adapters = adapters or adapters_from_store(store)
        self.now = now
        self.lease = lease
        self.policy = policy
        self.limits = dict(limits) if limits is not None else limits_from_store(store)
        self.on_event = on_event or (lambda kind, job, detail: None)
        self.owner = owner or worker_id()
        self.stop = threading.Event()
        self.report = RunReport()
        self.concurrency = concurrency
        self.inflight = InFlight(concurrency)  # the claims in flight, for `busy` and the heartbeat
        self.holds = Holds(self.limits, unreachable_after=unreachable_after, defer_for=defer_for)
        self._mu = threading.RLock()  # the report and the event hook, shared by the threads

    def _emit(self, kind: str, job: Job, detail: str = "") -> None:
        with self._mu:
            self.on_event(kind, job, redact(detail))

    def _tally(self, what: str, kind: str, job: Job, detail: str = "") -> None:
        """Count one outcome in the report and tell the hook, as one step (threads share both)."""
        with self._mu:
            setattr(self.report, what, getattr(self.report, what) + 1)
            self.on_event(kind, job, redact(detail))

    def _claim(self, busy: Collection[str] = ()) -> Claim | None:
        now = self.now()
        skip = set(busy) | self.holds.cooling(now)
        claim = self.store.claim(self.owner, now=now, lease=self.lease, limits=self.holds.snapshot(),
                                 busy=sorted(skip))
        if claim is not None:
            self.inflight.add(claim)
            with self._mu:
                self.report.most_in_flight = max(self.report.most_in_flight, len(self.inflight))
        return claim

    def _release(self, claim: Claim) -> None:
        """Give back a claim not yet sent (the worker is stopping)."""
        try:
            self.store.release(claim.job.id, self.owner, now=self.now())
        except LeaseLost:  # taken over meanwhile: nothing was sent, nothing to give back
            return
        finally:
            self.inflight.remove(claim.job.id)
        self._tally("released", "released", claim.job)

    def step(self) -> bool:
        """Claim and handle one due job; False when nothing is due."""
        claim = self._claim()
        if claim is None:
            return False
        self._run_claim(claim)
        return True

    def _run_claim(self, claim: Claim) -> None:
        """Handle a claim, or give it back when a signal arrived since it was taken; either way
        it leaves the claims in flight."""
        if self.stop.is_set():  # a signal arrived between polls: nothing was sent, give it back
            self._release(claim)
            return
        try:
            self._handle(claim)
        finally:
            self.inflight.remove(claim.job.id)

    def _handle(self, claim: Claim) -> None:
        job = claim.job
        still_uncertain = claim.uncertain
        try:
            adapter = self.adapters(job)
            if self._held_by_scope(claim, adapter):
                return
            if claim.uncertain:
                found = self._find(adapter, job)
                if found is not None:
                    self._succeed(claim, found, reconciled=True)
                    return
                still_uncertain = False
                self.store.note(job.id, "reconciled", now=self.now(), owner=self.owner,
                                detail="not found on the platform; sending again")
            try:
                ref = self._publish(adapter, claim)
            except TooLongError as e:
                why = self._refit(claim, adapter, e)
                if why is not None:
                    self._failed(claim, e, still_uncertain, note=f"; not re-fitted: {why}")
                return
        except (KeyboardInterrupt, SystemExit):
            raise
        except LeaseLost as e:  # fenced off: another worker holds the job now; nothing was sent
            self._tally("lost", "lost", job, f"{e}; not sent")
            return
        except BaseException as e:  # noqa: BLE001 - every failure is recorded, none is lost
            self._failed(claim, e, still_uncertain or is_ambiguous(e))
            return
        if not isinstance(ref, RemoteRef) or not ref.id:  # it may have posted: retry through find
            self._failed(claim, RuntimeError(f"adapter '{job.platform}' returned no post id ({ref!r})"), True)
            return
        self._succeed(claim, ref, reconciled=False)

    def _held_by_scope(self, claim: Claim, adapter: Any) -> bool:
        """Give the claim back, unsent, when its account shares a limit (an API key) that
        another account ran into: it waits with them; True when it was given back."""
        job = claim.job
        scope = getattr(adapter, "rate_scope", "")
        self.holds.know(job.account, scope if isinstance(scope, str) else "")
        until = self.holds.scope_cooling(job.account, self.now())
        if until is None:
            return False
        self.store.release(job.id, self.owner, now=self.now())
        why = f"rate limited by its platform until {until:%H:%M:%S} UTC (a limit shared with other accounts)"
        with self._mu:
            self.report.deferred[job.account] = why
        self._emit("deferred", job, f"{why}; not sent, it waits")
        return True

    def _publish(self, adapter: Any, claim: Claim) -> RemoteRef:
        """Publish; a post refused as a duplicate counts as sent when `find` shows it is there."""
        job = claim.job
        self._fence(claim)
        try:
            # the images as local files (a PostgreSQL queue's media are fetched from the database)
            return adapter.publish(local_media(self.store, job.draft), key=job.idempotency_key,  # type: ignore[no-any-return]
                                   reply_to=claim.reply_to)
        except RejectedError as e:
            if not e.possibly_posted:
                raise
            found = self._find(adapter, job)
            if found is None:
                raise
            self.store.note(job.id, "reconciled", now=self.now(), owner=self.owner,
                            detail=f"refused as a duplicate, and found on the platform: {found.url or found.id}")
            return found

    def _fence(self, claim: Claim) -> None:
        """Renew the lease right before the platform call; LeaseLost when it is no longer ours
        (taken over, or run out while this worker was paused): then nothing is sent."""
        if not self.store.extend(claim.job.id, claim.owner, lease=self.lease):
            raise LeaseLost(f"job #{claim.job.id}: this worker's lease ran out or was taken over before "
                            "sending", job_id=claim.job.id, owner=claim.owner)

    def _find(self, adapter: Any, job: Job) -> RemoteRef | None:
        """`adapter.find`, telling an adapter that takes `since` when the job was first tried
        (the post cannot be older), less `FIND_SKEW` for the clocks of workers and platform."""
        kwargs: dict[str, Any] = {"key": job.idempotency_key}
        try:
            takes_since = "since" in inspect.signature(adapter.find).parameters
        except (TypeError, ValueError):
            takes_since = False
        if takes_since:
            starts = [e.at for e in self.store.events(job.id) if e.kind == "started"]
            if starts:
                kwargs["since"] = min(starts) - FIND_SKEW
        return adapter.find(job.draft, **kwargs)  # type: ignore[no-any-return]

    def _refit(self, claim: Claim, adapter: Any, error: TooLongError) -> str | None:
        """Compose the refused post again under a stricter count and queue it in place of its
        thread (`replace_thread`); None when done (the job is back in the queue, its events say
        how it changed), else why it could not be re-fitted (the job then fails as before)."""
        from campaign.queue.store import replace_thread

        job = claim.job
        if job.part > 0:
            return "an earlier part of its thread already went out"
        if any(e.kind == "refit" for e in self.store.events(job.id)):
            return "it was re-fitted once already"
        try:
            draft, how = self._recompose(job, adapter)
        except CampaignError as e:
            return f"it could not be composed again ({e})"
        except Exception as e:  # a bug must not cost the post its ordinary failure
            log.exception("re-fitting job #%s", job.id)
            return f"re-fitting failed ({type(e).__name__}: {e})"
        thread = sorted((j for j in self.store.jobs(campaign=job.campaign)
                         if (j.account, j.highlight_id) == (job.account, job.highlight_id)),
                        key=lambda j: j.part)
        if tuple(j.draft.text for j in thread) == draft.parts:
            return f"composed again with {how}, it is the same text"
        rules_note = f"{len(thread)} part(s) -> {len(draft.parts)} part(s) of " + ", ".join(
            f"{n}" for n in draft.lengths) + f"/{draft.limit} characters, {how}"
        detail = f"refused as too long, re-fitted: {rules_note}" + (
            f" ({'; '.join(draft.warnings)})" if draft.warnings else "")
        now = self.now()
        try:
            self.store.note(job.id, "refit", now=now, owner=self.owner, detail=detail)
            back = self.store.retry_later(job.id, self.owner, run_at=now, error=describe(error), now=now,
                                          uncertain=False)
            replace_thread(self.store, back, draft, now=now, note="re-fitted after the server refused it as too long")
        except LeaseLost as e:
            self._tally("lost", "lost", job, str(e))
            return None
        except QueueError as e:  # the job is queued again as it was; its next refusal fails it
            log.warning("job #%s: re-fitted, but not queued: %s", job.id, e)
        self._tally("refitted", "refit", job, detail)
        return None

    def _recompose(self, job: Job, adapter: Any) -> tuple[Draft, str]:
        """The job's highlight composed again for its account from the campaign's YAML (its path
        is in the queue's record), under the adapter's rules as it now reads them, counted as
        written when those rules do not explain the refusal (`posts.refit.stricter`)."""
        from campaign.config import load
        from campaign.platforms import as_rules
        from campaign.posts.refit import refit

        rec = self.store.campaign(job.campaign)
        if rec is None or not rec.config_path:
            raise QueueError("the queue does not know the campaign's YAML file")
        rules = as_rules(adapter.rules, job.draft.platform)
        return refit(load(rec.config_path), job.highlight_id, job.account, rules, refused=job.draft.text,
                     media=job.draft.media)

    def _succeed(self, claim: Claim, ref: RemoteRef, *, reconciled: bool) -> None:
        self._answered(claim.job.account)
        try:
            job = self.store.succeed(claim.job.id, self.owner, ref, now=self.now(), reconciled=reconciled)
        except LeaseLost as e:  # another worker took over; it will find this post by its key
            self._tally("lost", "lost", claim.job, f"{e}; posted as {ref.url or ref.id}")
            return
        if reconciled:
            self._tally("reconciled", "reconciled", job, ref.url or ref.id)
        else:
            self._tally("succeeded", "succeeded", job, ref.url or ref.id)

    def _answered(self, account: str) -> None:
        """The account's platform answered: forget its unanswered calls, end a deferral."""
        if self.holds.answered(account):
            with self._mu:
                self.report.deferred.pop(account, None)

    def _unanswered(self, job: Job, error: BaseException) -> None:
        """Count a timeout or connection failure; at `unreachable_after` in a row, hold the
        account's other jobs back for `defer_for` (one start per `defer_for` then, as a probe)."""
        why = self.holds.unanswered(job.account, error)
        if why is None:
            return
        with self._mu:
            self.report.deferred[job.account] = why
        self._emit("deferred", job, f"{why}; {job.account}'s other posts wait for the next run")

    def _failed(self, claim: Claim, error: BaseException, uncertain: bool, note: str = "") -> None:
        """Record a failed attempt (retried later, or failed for good), then count it if the
        platform did not answer, or hold the account back if it answered 429."""
        at = self._record_failure(claim, error, uncertain, note)
        if isinstance(error, RateLimitedError) and at is not None:
            why = self.holds.rate_limited(claim.job.account, until=at, scope=error.scope)
            held = self.holds.sharing(error.scope) if error.scope else set()
            with self._mu:
                self.report.deferred[claim.job.account] = why
                for account in held - {claim.job.account}:
                    self.report.deferred.setdefault(account, why)
            self._emit("deferred", claim.job, f"{why}; {claim.job.account}'s other posts wait, the "
                                              "other accounts go on")
        self._unanswered(claim.job, error)

    def _record_failure(self, claim: Claim, error: BaseException, uncertain: bool, note: str) -> datetime | None:
        """Retry later or fail; the time of the next attempt (None: failed, or lost)."""
        job = claim.job
        message = describe(error) + note
        at = next_run(job.attempts, error, now=self.now(), policy=self.policy, seed=job.idempotency_key)
        try:
            if at is not None:
                job = self.store.retry_later(job.id, self.owner, run_at=at, error=message,
                                             now=self.now(), uncertain=uncertain)
                self._tally("retried", "retry", job, message)
                return at
            if is_transient(error):
                message = f"gave up after {job.attempts} attempts: {message}"
            if uncertain:
                message += (" (an attempt may have posted it: `campaign retry` looks for it on the platform "
                            "before sending again)")
            job = self.store.fail(job.id, self.owner, error=message, now=self.now(), uncertain=uncertain)
        except LeaseLost as e:
            self._tally("lost", "lost", job, str(e))
            return None
        self._tally("failed", "failed", job, message)
        return None

    def dry_run(self, limit: int = 1000) -> RunReport:
        """The jobs due now, in the order they would go; nothing is claimed or sent."""
        self.report.due = self.store.due(now=self.now(), limit=limit)
        for job in self.report.due:
            self._emit("due", job, "")
        return self.report

    def run(self, *, once: bool = False, poll: timedelta = timedelta(seconds=5),
            sleep: Callable[[float], Any] | None = None, max_jobs: int | None = None) -> RunReport:
        """Loop until stopped (or, with `once`, until nothing is due and nothing is in flight)."""
        # idle: the store's wait (PostgreSQL wakes it on LISTEN/NOTIFY the moment a job is queued,
        # approved or retried elsewhere; other stores sleep), cut short by a signal
        wait = sleep or (lambda seconds: self.store.wait(seconds, stop=self.stop))
        self.report = RunReport()
        break_dead_leases(self.store, self.owner, self.now())
        try:
            with Heartbeat(self.store, self.inflight, self.lease):
                if self.concurrency == 1:
                    self._loop(once, poll, wait, max_jobs)
                else:
                    self._loop_concurrent(once, poll, wait, max_jobs)
        finally:
            closer = getattr(self.adapters, "close", None)
            if callable(closer):
                closer()
        self.report.stopped = self.stop.is_set()
        return self.report

    def _loop(self, once: bool, poll: timedelta, wait: Callable[[float], Any], max_jobs: int | None) -> None:
        while not self.stop.is_set():
            if max_jobs is not None and self.report.handled >= max_jobs:
                break
            if self.step():
                continue
            if once:
                break
            wait(self._idle(poll))

    def _idle(self, poll: timedelta) -> float:
        """Seconds to sleep when nothing can be claimed: until the next post is due, a lease
        ends or a limit lifts, at most `poll`."""
        now = self.now()
        break_dead_leases(self.store, self.owner, now)
        wake = self.store.next_wake(now=now, limits=self.holds.snapshot())
        idle = max(poll.total_seconds(), MIN_POLL)  # `--poll 0s` must not spin a core
        cooled = self.holds.cooling_ends()
        if cooled is not None and (wake is None or wake <= now):
            # what is due belongs to accounts held back after a 429 (claim just skipped them)
            wake = cooled
        seconds = idle if wake is None else (wake - now).total_seconds()
        return min(max(seconds, 0.01), idle)

    def _loop_concurrent(self, once: bool, poll: timedelta, wait: Callable[[float], Any],
                         max_jobs: int | None) -> None:
        """Keep up to `concurrency` posts in flight, one per account, until stopped (or, with
        `once`, until nothing is due and nothing is in flight); then finish what is in flight."""
        pool = self.inflight
        busy_wait = min(max(poll.total_seconds(), MIN_POLL), BUSY_POLL)
        try:
            while not self.stop.is_set() and pool.failure is None:
                if max_jobs is not None and self.report.handled + len(pool) >= max_jobs:
                    if not len(pool):
                        break
                    pool.wait(busy_wait)
                    continue
                if pool.full():
                    pool.wait(busy_wait, below=pool.size)
                    continue
                busy = pool.accounts()
                claim = self._claim(busy=busy)
                if claim is not None:
                    pool.start(claim, self._run_claim)
                    continue
                if busy:  # a post in flight (maybe done by now) may free its account's next one
                    pool.wait(busy_wait)
                    continue
                if once:
                    break
                wait(self._idle(poll))
        finally:
            for claim in pool.drain():  # SIGTERM too: the posts in flight finish and are recorded
                self._release(claim)  # claimed, never started (interrupted in between)
        if pool.failure is not None:
            failure, pool.failure = pool.failure, None
            raise failure


def run(store: Store, adapters: AdapterFactory | None = None, *, now: Clock = system_clock,
        once: bool = False, dry_run: bool = False, lease: timedelta = DEFAULT_LEASE,
        policy: RetryPolicy = DEFAULT, limits: Mapping[str, Limit] | None = None,
        poll: timedelta = timedelta(seconds=5), on_event: EventHook | None = None,
        handle_signals: bool = True, max_jobs: int | None = None, unreachable_after: int = 2,
        defer_for: timedelta = timedelta(minutes=10), concurrency: int = 1) -> RunReport:
    """Publish due jobs: with `once` until none is due, else forever (sleeping, ~0 CPU, in between),
    with up to `concurrency` posts in flight (one per account).

    SIGINT/SIGTERM (when `handle_signals` and on the main thread) stop the loop after
    the calls in flight; the report says so in `stopped`. An account whose platform did not
    answer `unreachable_after` times in a row waits `defer_for` (see the module's doc).
    """
    worker = Worker(store, adapters, now=now, lease=lease, policy=policy, limits=limits, on_event=on_event,
                    unreachable_after=unreachable_after, defer_for=defer_for, concurrency=concurrency)
    if dry_run:
        return worker.dry_run()
    previous: dict[signal.Signals, Any] = {}
    if handle_signals and threading.current_thread() is threading.main_thread():
        def _stop(signum: int, frame: FrameType | None) -> None:
            worker.stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, _stop)
    try:
        return worker.run(once=once, poll=poll, max_jobs=max_jobs)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
