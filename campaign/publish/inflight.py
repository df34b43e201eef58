"""Posts in flight: the claims a worker holds while their platform calls run, the threads that
run them, and the lease heartbeat that renews every one of them.

The platform SDKs are synchronous, so a worker keeps up to N posts in flight on N
threads (`InFlight(size)`). One account has at most one post in flight (the worker
claims with the accounts in flight `busy`), so an account's posts, and a thread's
parts, keep their order, and no adapter is used by two threads at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from campaign.errors import CampaignError
from campaign.queue import Claim, Store


class InFlight:
    """The claims in flight, and up to `size` threads to run them (started on first use).

    `add` registers a claim (as soon as it is claimed: its account is then busy), `start` runs
    its task on a thread; the claim leaves when the task ends. A task that raises stops nothing
    by itself: the exception is kept in `failure` for the worker to raise once the others are done."""

    def __init__(self, size: int = 1) -> None:
        if size < 1:
            raise ValueError("at least one post in flight")
        self.size = size
        self._cond = threading.Condition()
        self._flights: dict[int, Claim] = {}  # by job id
        self._executor: ThreadPoolExecutor | None = None
        self.failure: BaseException | None = None

    def __len__(self) -> int:
        with self._cond:
            return len(self._flights)

    def full(self) -> bool:
        return len(self) >= self.size

    def add(self, claim: Claim) -> None:
        with self._cond:
            self._flights[claim.job.id] = claim

    def remove(self, job_id: int) -> None:
        with self._cond:
            self._flights.pop(job_id, None)
            self._cond.notify_all()

    def claims(self) -> list[Claim]:
        with self._cond:
            return list(self._flights.values())

    def accounts(self) -> set[str]:
        """The accounts with a post in flight: the worker claims none of their other posts."""
        with self._cond:
            return {c.job.account for c in self._flights.values()}

    def start(self, claim: Claim, task: Callable[[Claim], Any]) -> None:
        """Run `task(claim)` (a claim `add`ed) on a thread of the pool; the claim is in flight
        until it returns."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="publish")
        future = self._executor.submit(task, claim)  # if this fails, `drain` returns the claim
        future.add_done_callback(lambda f: self._done(claim.job.id, f))

    def _done(self, job_id: int, future: Future[Any]) -> None:
        error = future.exception()
        with self._cond:
            if error is not None and self.failure is None:
                self.failure = error
            self._flights.pop(job_id, None)
            self._cond.notify_all()

    def wait(self, timeout: float, *, below: int | None = None) -> None:
        """Wait up to `timeout` seconds for a claim to leave (with `below`: until fewer than
        `below` are in flight)."""
        with self._cond:
            if below is not None:
                self._cond.wait_for(lambda: len(self._flights) < below, timeout)
            elif self._flights:
                self._cond.wait(timeout)

    def drain(self) -> list[Claim]:
        """Wait until every task started has ended, then stop the threads; the claims left in
        flight, none of whose tasks ever started (the caller gives them back)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)  # every task submitted runs to its end
            self._executor = None
        return self.claims()


class Heartbeat:
    """A thread that extends the lease of every claim in flight every third of the lease, so a
    slow upload is not mistaken for a dead worker."""

    def __init__(self, store: Store, inflight: InFlight, lease: timedelta) -> None:
        self.store = store
        self.inflight = inflight
        self.lease = lease
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._done.wait(self.lease.total_seconds() / 3):
            self.beat()

    def beat(self) -> int:
        """Extend every lease in flight now; how many are still this worker's."""
        kept = 0
        for claim in self.inflight.claims():
            try:
                kept += self.store.extend(claim.job.id, claim.owner, lease=self.lease)
            except CampaignError:  # the store is busy or gone: the lease simply runs its course
                pass
        return kept

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._done.set()
        self._thread.join()
