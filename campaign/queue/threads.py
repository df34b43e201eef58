"""A thread's parts in time: the pure rules every store applies when a thread is moved or queued.

A thread is the jobs of one campaign, account and highlight; its parts go out in order,
each a reply to the one before. The rules here keep that order visible in the times
themselves, so no listing, `next due` or reschedule ever shows a part ahead of the part
before it:

- `thread_times`: the new `run_at` of the parts that move (a reschedule, a retry) and of
  any queued part that would otherwise be due before its previous part.
- `send_order`: jobs in the order they go out (a listing's order).

An organizer's own edits are remembered per job (`HAND_TIME`, `HAND_CANCEL`), so that
queueing the campaign again keeps them unless asked to replan (`campaign.queue.store.decide`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from campaign.models import Job

#: what the organizer did by hand to a job, kept across re-queues unless `replan`
ByHand = Literal["time", "cancel"]
HAND_TIME: ByHand = "time"  # rescheduled (or retried) by hand: its time is the organizer's
HAND_CANCEL: ByHand = "cancel"  # cancelled by hand (a job, its thread, a campaign)

_ZERO = timedelta(0)
_WAITING = ("todo",)


@dataclass(frozen=True, slots=True)
class Part:
    """One job of a thread as the time rules see it."""

    id: int
    part: int
    status: str
    run_at: datetime


def thread_times(parts: Sequence[Part], *, moving: Collection[int] = (),
                 start: datetime | None = None) -> dict[int, datetime]:
    """The new `run_at`, by job id, of the parts of one thread whose time changes.

    The parts in `moving` (ids; they end up queued) move together: the first of them
    to `start`, each later one keeping its gap to the part before it (never less than
    none), so the thread stays in order and back to back. Any queued part, moving or
    not, that would be due before its previous queued part is put at that part's time.
    Parts already sent, in flight, failed or cancelled (and not moving) never move.
    """
    if moving and start is None:
        raise ValueError("moving parts need a start")
    out: dict[int, datetime] = {}
    prev_new: datetime | None = None  # the previous part's time, when it waits to be sent
    prev_old: datetime | None = None
    first = True
    for p in sorted(parts, key=lambda p: (p.part, p.id)):
        if p.id in moving:
            assert start is not None
            if first:
                new = start
                first = False
            else:
                gap = max(_ZERO, p.run_at - prev_old) if prev_old is not None else _ZERO
                new = start if prev_new is None else prev_new + gap
            if prev_new is not None:
                new = max(new, prev_new)
        elif p.status in _WAITING:
            new = p.run_at if prev_new is None else max(p.run_at, prev_new)
        else:
            prev_new, prev_old = None, p.run_at
            continue
        if new != p.run_at:
            out[p.id] = new
        prev_new, prev_old = new, p.run_at
    return out


def send_order(jobs: Iterable[Job]) -> list[Job]:
    """`jobs` in the order they go out: by time, a thread's part never before the part ahead
    of it in the list, a thread's parts due together kept together in part order."""
    items = list(jobs)
    threads: dict[tuple[str, str, str], list[Job]] = {}
    for j in items:
        threads.setdefault((j.campaign, j.account, j.highlight_id), []).append(j)
    when: dict[int, datetime] = {}
    group: dict[int, int] = {}
    for parts in threads.values():
        parts.sort(key=lambda j: (j.part, j.id))
        head = min(j.id for j in parts)
        t: datetime | None = None
        for j in parts:
            t = j.run_at if t is None else max(t, j.run_at)
            when[j.id], group[j.id] = t, head
    return sorted(items, key=lambda j: (when[j.id], group[j.id], j.part, j.id))
