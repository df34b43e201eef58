"""The dispatch loop: claim a due job, publish it through its account's adapter, record the result.

Crash safety, step by step:
1. `store.claim` moves the job to `doing` under a lease and records "started" in
   the same transaction, before the platform is called.
2. A lease heartbeat runs while the call is in flight, so a slow upload is not
   mistaken for a dead worker.
3. A job whose lease expired (its worker died mid-call), or whose last error was
   ambiguous, comes back `uncertain`: `adapter.find(draft, key=...)` decides
   whether it landed before anything is sent again.
4. SIGINT/SIGTERM: the call in flight finishes and is recorded, a job claimed but
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

A thread's part is claimable only once its previous part succeeded; its
`reply_to` is that part's remote ref. Rate limits (`Account.rate_limit`) are
checked inside the claim transaction, so two workers share them.

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
import os
import signal
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from campaign.errors import (
    AdapterError,
    CampaignError,
    LeaseLost,
    QueueError,
    RateLimitedError,
    RejectedError,
    TooLongError,
    TransientError,
)
from campaign.models import Draft, Job, RemoteRef
from campaign.publish.adapters.base import Adapter, AdapterContext, create, state_root
from campaign.publish.adapters.base import close as close_adapter
from campaign.publish.retry import (
    DEFAULT,
    RetryPolicy,
    describe,
    is_ambiguous,
    is_transient,
    next_run,
)
from campaign.queue import DEFAULT_LEASE, MIN_LEASE, Claim, Limit, Store
from campaign.redact import redact

log = logging.getLogger("campaign.publish")

AdapterFactory = Callable[[Job], Adapter]
Clock = Callable[[], datetime]
EventHook = Callable[[str, Job, str], None]


#: how much earlier than the first attempt (as its worker's clock told it) `find` looks
FIND_SKEW = timedelta(minutes=15)


#: the shortest idle wait between looks at the queue, whatever `poll` says
MIN_POLL = 0.05


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

    @property
    def handled(self) -> int:
        return self.succeeded + self.reconciled + self.retried + self.failed + self.lost + self.refitted


# --- a platform that does not answer -------------------------------------------------------

#: exceptions of the HTTP libraries adapters use that mean "no answer" (module root, class name)
_NO_ANSWER = {("requests", "ConnectionError"), ("requests", "Timeout"), ("httpx", "TimeoutException"),
              ("httpx", "NetworkError"), ("urllib3", "NewConnectionError"), ("urllib3", "TimeoutError")}


def unreachable(error: BaseException) -> bool:
    """True when `error` says the platform did not answer: a timeout or a connection failure.

    Adapters say so with `TransientError(unreachable=True)`; for one that does not, the
    exception's chain (`__cause__`, `__context__`) is searched for the standard library's
    timeouts and connection errors and those of requests, urllib3 and httpx."""
    if isinstance(error, RateLimitedError) or (isinstance(error, AdapterError)
                                               and not isinstance(error, TransientError)):
        return False
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if getattr(e, "unreachable", False) or isinstance(e, TimeoutError | ConnectionError):
            return True
        if any((c.__module__.split(".")[0], c.__name__) in _NO_ANSWER for c in type(e).__mro__):
            return True
        e = e.__cause__ or e.__context__
    return False


# --- who we are, and who is dead -----------------------------------------------------------


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return "-"


def worker_id() -> str:
    """`host/boot/pid/random`: unique per run, and enough to tell a dead local worker."""
    return f"{socket.gethostname()}/{_boot_id()}/{os.getpid()}/{os.urandom(3).hex()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def dead_owner(owner: str, me: str) -> bool:
    """True only when `owner` ran on this machine, since this boot, in a process now gone."""
    try:
        host, boot, pid, _ = owner.split("/")
        my_host, my_boot, _, _ = me.split("/")
        return host == my_host and boot == my_boot and boot != "-" and not _pid_alive(int(pid))
    except ValueError:
        return False


def break_dead_leases(store: Store, me: str, now: datetime) -> int:
    """Expire the leases of local workers that died (SIGKILL, power), so restart needn't wait."""
    n = 0
    for owner in store.lease_owners():
        if owner != me and dead_owner(owner, me):
            n += store.expire_leases(owner, now=now, reason=f"worker {owner} is gone")
    return n


# --- adapters and limits from what the queue stored ----------------------------------------


class StoreAdapters:
    """Each account's adapter, built once from the campaign record saved at enqueue (no YAML
    needed); `close()` closes every adapter built."""

    def __init__(self, store: Store, *, state_dir: Path | None = None) -> None:
        self.store = store
        self.root = state_dir or state_root()
        self.cache: dict[tuple[str, str], Adapter] = {}

    def __call__(self, job: Job) -> Adapter:
        key = (job.campaign, job.account)
        if key not in self.cache:
            rec = self.store.campaign(job.campaign)
            if rec is None:
                raise QueueError(f"campaign '{job.campaign}' is not in the queue database")
            settings = rec.accounts.get(job.account)
            if settings is None:
                raise QueueError(f"account '{job.account}' is no longer in campaign '{job.campaign}'")
            if not isinstance(settings, dict):
                raise QueueError(f"account '{job.account}' of campaign '{job.campaign}' is stored as a "
                                 f"{type(settings).__name__}, not settings; queue the campaign again")
            ctx = AdapterContext(
                account=job.account,
                platform=str(settings.get("platform") or job.platform),
                settings=dict(settings),
                language=str(settings.get("language") or rec.language),
                state_dir=self.root / job.account,
                base_dir=Path(rec.base_dir),
            )
            self.cache[key] = create(ctx)
        return self.cache[key]

    def close(self) -> None:
        for adapter in self.cache.values():
            try:
                close_adapter(adapter)
            except Exception as e:  # closing must not hide what the run did
                log.warning("closing %s: %s", getattr(adapter, "name", "adapter"), redact(str(e)))
        self.cache.clear()


def adapters_from_store(store: Store, *, state_dir: Path | None = None) -> AdapterFactory:
    """Build each account's adapter from the campaign record saved at enqueue (no YAML needed)."""
    return StoreAdapters(store, state_dir=state_dir)


def limits_from_store(store: Store) -> dict[str, Limit]:
    """Per-account rate limits of every queued campaign; the strictest wins for a shared name."""
    from campaign.config import parse_duration

    out: dict[str, Limit] = {}
    for rec in store.campaigns():
        for account, settings in rec.accounts.items():
            rl = settings.get("rate_limit") if isinstance(settings, dict) else None
            if not isinstance(rl, dict):
                continue  # none; or a record edited by hand: its jobs fail alone when they run
            try:
                lim = Limit(int(rl["posts"]), parse_duration(rl["per"]))
            except (KeyError, TypeError, ValueError):
                continue
            if lim.posts < 1 or lim.per <= timedelta(0):
                continue  # a rate limit of 0 would block the account (or divide by zero) forever
            old = out.get(account)
            if old is None or lim.per / lim.posts > old.per / old.posts:
                out[account] = lim
    return out


# --- the loop ------------------------------------------------------------------------------


class _Heartbeat:
    """A thread that extends the lease of the job in flight every third of the lease."""

    def __init__(self, worker: Worker):
        self.worker = worker
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def _beat(self) -> None:
        w = self.worker
        while not self._done.wait(w.lease.total_seconds() / 3):
            claim = w.current
            if claim is None:
                continue
            try:
                w.store.extend(claim.job.id, claim.owner, lease=w.lease)
            except CampaignError:  # the store is busy or gone: the lease simply runs its course
                pass

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        self._thread.join()


class Worker:
    """One worker: `run()` loops; `step()` handles one claim (the unit tests drive it)."""

    def __init__(self, store: Store, adapters: AdapterFactory | None = None, *, now: Clock = system_clock,
                 lease: timedelta = DEFAULT_LEASE, policy: RetryPolicy = DEFAULT,
                 limits: Mapping[str, Limit] | None = None, on_event: EventHook | None = None,
                 owner: str | None = None, unreachable_after: int = 2,
                 defer_for: timedelta = timedelta(minutes=10)):
        if lease < MIN_LEASE:
            raise QueueError(f"a lease of {lease.total_seconds():g}s is too short: at least "
                             f"{MIN_LEASE.total_seconds():g}s, so a post in flight is not taken over")
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
        self.current: Claim | None = None  # the claim in flight, for the lease heartbeat
        self.unreachable_after = unreachable_after
        self.defer_for = defer_for
        self._strikes: dict[str, int] = {}  # account -> unanswered calls in a row
        self._own_limits: dict[str, Limit | None] = {}  # a deferred account's limit before it

    def _emit(self, kind: str, job: Job, detail: str = "") -> None:
        self.on_event(kind, job, redact(detail))

    def step(self) -> bool:
        """Claim and handle one due job; False when nothing is due."""
        claim = self.store.claim(self.owner, now=self.now(), lease=self.lease, limits=self.limits)
        if claim is None:
            return False
        if self.stop.is_set():  # a signal arrived between polls: nothing was sent, give it back
            self.store.release(claim.job.id, self.owner, now=self.now())
            self.report.released += 1
            self._emit("released", claim.job)
            return True
        self._handle(claim)
        return True

    def _handle(self, claim: Claim) -> None:
        job = claim.job
        still_uncertain = claim.uncertain
        self.current = claim
        try:
            adapter = self.adapters(job)
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
            self.report.lost += 1
            self._emit("lost", job, f"{e}; not sent")
            return
        except BaseException as e:  # noqa: BLE001 - every failure is recorded, none is lost
            self._failed(claim, e, still_uncertain or is_ambiguous(e))
            return
        finally:
            self.current = None
        if not isinstance(ref, RemoteRef) or not ref.id:  # it may have posted: retry through find
            self._failed(claim, RuntimeError(f"adapter '{job.platform}' returned no post id ({ref!r})"), True)
            return
        self._succeed(claim, ref, reconciled=False)

    def _publish(self, adapter: Any, claim: Claim) -> RemoteRef:
        """Publish; a post refused as a duplicate counts as sent when `find` shows it is there."""
        job = claim.job
        self._fence(claim)
        try:
            return adapter.publish(job.draft, key=job.idempotency_key, reply_to=claim.reply_to)  # type: ignore[no-any-return]
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
            self.report.lost += 1
            self._emit("lost", job, str(e))
            return None
        except QueueError as e:  # the job is queued again as it was; its next refusal fails it
            log.warning("job #%s: re-fitted, but not queued: %s", job.id, e)
        self.report.refitted += 1
        self._emit("refit", job, detail)
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
            self.report.lost += 1
            self._emit("lost", claim.job, f"{e}; posted as {ref.url or ref.id}")
            return
        if reconciled:
            self.report.reconciled += 1
        else:
            self.report.succeeded += 1
        self._emit("reconciled" if reconciled else "succeeded", job, ref.url or ref.id)

    def _answered(self, account: str) -> None:
        """The account's platform answered: forget its unanswered calls, end a deferral."""
        self._strikes.pop(account, None)
        if account in self._own_limits:
            own = self._own_limits.pop(account)
            if own is None:
                self.limits.pop(account, None)
            else:
                self.limits[account] = own
            self.report.deferred.pop(account, None)

    def _unanswered(self, job: Job, error: BaseException) -> None:
        """Count a timeout or connection failure; at `unreachable_after` in a row, hold the
        account's other jobs back for `defer_for` (one start per `defer_for` then, as a probe)."""
        if not unreachable(error):
            if isinstance(error, AdapterError):  # the platform answered, if only to refuse
                self._strikes.pop(job.account, None)
            return
        n = self._strikes[job.account] = self._strikes.get(job.account, 0) + 1
        if n < self.unreachable_after or job.account in self._own_limits:
            return
        self._own_limits[job.account] = self.limits.get(job.account)
        self.limits[job.account] = Limit(1, self.defer_for)
        why = f"{n} timeouts or connection failures in a row"
        self.report.deferred[job.account] = why
        self._emit("deferred", job, f"{why}; {job.account}'s other posts wait for the next run")

    def _failed(self, claim: Claim, error: BaseException, uncertain: bool, note: str = "") -> None:
        """Record a failed attempt (retried later, or failed for good), then count it if the
        platform did not answer."""
        self._record_failure(claim, error, uncertain, note)
        self._unanswered(claim.job, error)

    def _record_failure(self, claim: Claim, error: BaseException, uncertain: bool, note: str) -> None:
        job = claim.job
        message = describe(error) + note
        at = next_run(job.attempts, error, now=self.now(), policy=self.policy, seed=job.idempotency_key)
        try:
            if at is not None:
                job = self.store.retry_later(job.id, self.owner, run_at=at, error=message,
                                             now=self.now(), uncertain=uncertain)
                self.report.retried += 1
                self._emit("retry", job, message)
                return
            if is_transient(error):
                message = f"gave up after {job.attempts} attempts: {message}"
            if uncertain:
                message += (" (an attempt may have posted it: `campaign retry` looks for it on the platform "
                            "before sending again)")
            job = self.store.fail(job.id, self.owner, error=message, now=self.now(), uncertain=uncertain)
        except LeaseLost as e:
            self.report.lost += 1
            self._emit("lost", job, str(e))
            return
        self.report.failed += 1
        self._emit("failed", job, message)

    def dry_run(self, limit: int = 1000) -> RunReport:
        """The jobs due now, in the order they would go; nothing is claimed or sent."""
        self.report.due = self.store.due(now=self.now(), limit=limit)
        for job in self.report.due:
            self._emit("due", job, "")
        return self.report

    def run(self, *, once: bool = False, poll: timedelta = timedelta(seconds=5),
            sleep: Callable[[float], Any] | None = None, max_jobs: int | None = None) -> RunReport:
        """Loop until stopped (or, with `once`, until nothing is due)."""
        wait = sleep or self.stop.wait
        self.report = RunReport()
        break_dead_leases(self.store, self.owner, self.now())
        try:
            with _Heartbeat(self):
                self._loop(once, poll, wait, max_jobs)
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
            now = self.now()
            break_dead_leases(self.store, self.owner, now)
            wake = self.store.next_wake(now=now, limits=self.limits)
            idle = max(poll.total_seconds(), MIN_POLL)  # `--poll 0s` must not spin a core
            seconds = idle if wake is None else (wake - now).total_seconds()
            wait(min(max(seconds, 0.01), idle))


def run(store: Store, adapters: AdapterFactory | None = None, *, now: Clock = system_clock,
        once: bool = False, dry_run: bool = False, lease: timedelta = DEFAULT_LEASE,
        policy: RetryPolicy = DEFAULT, limits: Mapping[str, Limit] | None = None,
        poll: timedelta = timedelta(seconds=5), on_event: EventHook | None = None,
        handle_signals: bool = True, max_jobs: int | None = None, unreachable_after: int = 2,
        defer_for: timedelta = timedelta(minutes=10)) -> RunReport:
    """Publish due jobs: with `once` until none is due, else forever (sleeping, ~0 CPU, in between).

    SIGINT/SIGTERM (when `handle_signals` and on the main thread) stop the loop after
    the call in flight; the report says so in `stopped`. An account whose platform did not
    answer `unreachable_after` times in a row waits `defer_for` (see the module's doc).
    """
    worker = Worker(store, adapters, now=now, lease=lease, policy=policy, limits=limits, on_event=on_event,
                    unreachable_after=unreachable_after, defer_for=defer_for)
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
