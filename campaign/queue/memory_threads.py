"""Threads that move whole, and the organizer's edits kept, on the in-memory store
(`MemoryStore` inherits `MemoryThreads`), decision for decision the same as
`campaign.queue.sqlite_threads`; the rules: `campaign.queue.threads`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from campaign.errors import QueueError
from campaign.models import Job, utc
from campaign.queue.store import EnqueueItem, moved_item, ts
from campaign.queue.threads import HAND_CANCEL, HAND_TIME, Part, thread_times

if TYPE_CHECKING:
    from campaign.queue.memory import _Row


class MemoryThreads:
    """`retry` and `reschedule` of a whole thread; threads kept in order by `enqueue`."""

    _jobs: dict[int, _Row]
    _tx: Callable[[], AbstractContextManager[None]]
    _event: Callable[..., None]
    _put: Callable[[_Row], _Row]
    _row: Callable[[int], _Row]
    _to_job: Callable[[_Row], Job]  # the store's row mapper, set by MemoryStore (no import cycle)

    def _thread_rows(self, row: _Row) -> list[_Row]:
        return sorted((r for r in self._jobs.values() if r.thread == row.thread), key=lambda r: (r.part, r.id))

    def retry(self, job_id: int, *, now: datetime) -> Job:
        """Queue a failed or cancelled job again, now, with every failed or cancelled part of its
        thread: the thread goes out whole, in order, back to back."""
        now = utc(now)
        with self._tx():
            row = self._row(job_id)
            if row.status not in ("failed", "cancelled"):
                raise QueueError(f"job #{job_id} is {row.status}; only failed or cancelled jobs can be retried")
            thread = self._thread_rows(row)
            moving = {r.id for r in thread if r.status in ("failed", "cancelled")}
            times = thread_times([Part(r.id, r.part, r.status, r.run_at) for r in thread], moving=moving, start=now)
            for r in thread:
                if r.id not in moving:
                    continue
                back = self._put(replace(r, status="todo", attempts=0, last_error=None, updated_at=now,
                                         run_at=times.get(r.id, r.run_at), by_hand=HAND_TIME))
                if r.id == job_id:
                    detail = "retry by hand" + (
                        "; an earlier attempt may have landed: it is looked for before anything is sent"
                        if r.uncertain else "")
                else:
                    detail = f"part {row.part + 1} retried by hand"
                self._event(r.id, "requeued", now, 0, None, detail)
                if r.id == job_id:
                    row = back
        return self._to_job(row)

    def reschedule(self, job_id: int, *, at: datetime, now: datetime) -> Job:
        """Move a queued job's whole thread: its first queued part to `at`, the others after it
        in order, keeping their gaps; a part is never due before its previous part."""
        now, at = utc(now), utc(at)
        with self._tx():
            row = self._row(job_id)
            if row.status != "todo":
                raise QueueError(f"job #{job_id} is {row.status}; only queued (todo) jobs can be rescheduled")
            thread = self._thread_rows(row)
            moving = {r.id for r in thread if r.status == "todo"}
            times = thread_times([Part(r.id, r.part, r.status, r.run_at) for r in thread], moving=moving, start=at)
            for r in thread:
                if r.id not in moving:
                    continue
                new = times.get(r.id, r.run_at)
                moved = self._put(replace(r, run_at=new, updated_at=now, by_hand=HAND_TIME))
                detail = f"{ts(r.run_at)} -> {ts(new)}" + ("" if r.id == job_id else f" (with part {row.part + 1})")
                self._event(r.id, "rescheduled", now, r.attempts if r.id == job_id else 0, None, detail)
                if r.id == job_id:
                    row = moved
        return self._to_job(row)

    def _hand_cancel(self, job_ids: list[int]) -> None:
        """Remember that these jobs were cancelled by hand (kept cancelled by a re-queue)."""
        for i in job_ids:
            self._put(replace(self._jobs[i], by_hand=HAND_CANCEL))

    def _order_threads(self, campaign: str, items: list[EnqueueItem], now: datetime) -> list[EnqueueItem]:
        """After an enqueue: a queued part due before its previous queued part goes at that part's
        time (a part added to a thread moved by hand); `items` amended to say so."""
        threads: dict[tuple[str, str, str], list[_Row]] = {}
        for r in self._jobs.values():
            if r.campaign == campaign:
                threads.setdefault(r.thread, []).append(r)
        moved: dict[int, str] = {}
        for rows in threads.values():
            times = thread_times([Part(r.id, r.part, r.status, r.run_at) for r in rows])
            for r in sorted(rows, key=lambda r: r.part):
                if r.id in times:
                    why = f"moved after part {r.part} of its thread"
                    self._put(replace(r, run_at=times[r.id], updated_at=now))
                    self._event(r.id, "rescheduled", now, r.attempts, None,
                                f"{ts(r.run_at)} -> {ts(times[r.id])} ({why})")
                    moved[r.id] = why
        return [moved_item(i, moved.get(i.job_id)) for i in items]
