"""Threads that move whole, and the organizer's edits kept, on the PostgreSQL store
(`PostgresStore` inherits `PostgresThreads`), decision for decision the same as
`campaign.queue.sqlite_threads`; the rules: `campaign.queue.threads`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from campaign.errors import QueueError
from campaign.models import Job, utc
from campaign.queue.postgres_schema import SQL
from campaign.queue.store import EnqueueItem, moved_item, ts
from campaign.queue.threads import HAND_CANCEL, Part, thread_times

if TYPE_CHECKING:
    from campaign.queue.postgres_admin import Cursor

T = TypeVar("T")


def _parts(rows: list[dict[str, Any]]) -> list[Part]:
    return [Part(r["id"], r["part"], r["status"], r["run_at"].astimezone(UTC)) for r in rows]


def _job(row: Mapping[str, Any] | None) -> Job:
    from campaign.queue.postgres_admin import job_from_row

    assert row is not None
    return job_from_row(row)


class PostgresThreads:
    """`retry` and `reschedule` of a whole thread; threads kept in order by `enqueue`."""

    if TYPE_CHECKING:
        def _run(self, fn: Callable[[Cursor], T]) -> T: ...
        def _notify(self, c: Cursor) -> None: ...
        @staticmethod
        def _event(c: Cursor, job_id: int, kind: str, at: datetime, attempt: int, owner: str | None = None,
                   detail: str | None = None) -> None: ...

    @staticmethod
    def _thread_of(c: Cursor, job_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The job and its thread's parts, locked (in part order, as every thread walk locks them)."""
        row = c.execute(SQL["get"], {"id": job_id}).fetchone()
        if row is None:
            raise QueueError(f"no job #{job_id}")
        parts = c.execute(SQL["thread_parts"], {"campaign": row["campaign"], "account": row["account"],
                                                "highlight_id": row["highlight_id"]}).fetchall()
        row = next(r for r in parts if r["id"] == job_id)
        return row, parts

    def retry(self, job_id: int, *, now: datetime) -> Job:
        """Queue a failed or cancelled job again, now, with every failed or cancelled part of its
        thread: the thread goes out whole, in order, back to back."""
        n = utc(now)

        def tx(c: Cursor) -> Job:
            row, thread = self._thread_of(c, job_id)
            if row["status"] not in ("failed", "cancelled"):
                raise QueueError(f"job #{job_id} is {row['status']}; only failed or cancelled jobs can be retried")
            moving = {r["id"] for r in thread if r["status"] in ("failed", "cancelled")}
            times = thread_times(_parts(thread), moving=moving, start=n)
            job: Job | None = None
            for r in thread:
                if r["id"] not in moving:
                    continue
                back = c.execute(SQL["thread_retry"], {"id": r["id"], "run_at": times.get(r["id"], r["run_at"]),
                                                       "now": n}).fetchone()
                if r["id"] == job_id:
                    job = _job(back)
                    detail = "retry by hand" + (
                        "; an earlier attempt may have landed: it is looked for before anything is sent"
                        if r["uncertain"] else "")
                else:
                    detail = f"part {row['part'] + 1} retried by hand"
                self._event(c, r["id"], "requeued", n, 0, None, detail)
            self._notify(c)
            assert job is not None
            return job

        return self._run(tx)

    def reschedule(self, job_id: int, *, at: datetime, now: datetime) -> Job:
        """Move a queued job's whole thread: its first queued part to `at`, the others after it
        in order, keeping their gaps; a part is never due before its previous part."""
        n, when = utc(now), utc(at)

        def tx(c: Cursor) -> Job:
            row, thread = self._thread_of(c, job_id)
            if row["status"] != "todo":
                raise QueueError(f"job #{job_id} is {row['status']}; only queued (todo) jobs can be rescheduled")
            moving = {r["id"] for r in thread if r["status"] == "todo"}
            times = thread_times(_parts(thread), moving=moving, start=when)
            job: Job | None = None
            for r in thread:
                if r["id"] not in moving:
                    continue
                old = r["run_at"].astimezone(UTC)
                new = times.get(r["id"], old)
                moved = c.execute(SQL["thread_move"], {"id": r["id"], "run_at": new, "now": n}).fetchone()
                mine = r["id"] == job_id
                if mine:
                    job = _job(moved)
                self._event(c, r["id"], "rescheduled", n, r["attempts"] if mine else 0, None,
                            f"{ts(old)} -> {ts(new)}" + ("" if mine else f" (with part {row['part'] + 1})"))
            self._notify(c)
            assert job is not None
            return job

        return self._run(tx)

    @staticmethod
    def _hand_cancel(c: Cursor, job_ids: list[int]) -> None:
        """Remember that these jobs were cancelled by hand (kept cancelled by a re-queue)."""
        for i in job_ids:
            c.execute(SQL["hand_set"], {"id": i, "by_hand": HAND_CANCEL})

    def _order_threads(self, c: Cursor, campaign: str, items: list[EnqueueItem], n: datetime) -> list[EnqueueItem]:
        """After an enqueue: a queued part due before its previous queued part goes at that part's
        time (a part added to a thread moved by hand); `items` amended to say so."""
        threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in c.execute(SQL["campaign_parts"], {"campaign": campaign}).fetchall():
            threads.setdefault((r["account"], r["highlight_id"]), []).append(r)
        moved: dict[int, str] = {}
        for rows in threads.values():
            times = thread_times(_parts(rows))
            for r in sorted(rows, key=lambda r: r["part"]):
                if r["id"] in times:
                    why = f"moved after part {r['part']} of its thread"
                    new = times[r["id"]]
                    c.execute(SQL["set_run_at"], {"id": r["id"], "run_at": new, "now": n})
                    self._event(c, r["id"], "rescheduled", n, r["attempts"], None,
                                f"{ts(r['run_at'])} -> {ts(new)} ({why})")
                    moved[r["id"]] = why
        return [moved_item(i, moved.get(i.job_id)) for i in items]
