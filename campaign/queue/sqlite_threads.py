"""Threads that move whole, and the organizer's edits kept, on the SQLite store (`SqliteStore`
inherits `SqliteThreads`), decision for decision the same as `campaign.queue.memory_threads`;
the rules: `campaign.queue.threads`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from campaign.errors import QueueError
from campaign.models import Job, utc
from campaign.queue.schema import SQL
from campaign.queue.store import EnqueueItem, moved_item, parse_ts, ts
from campaign.queue.threads import HAND_CANCEL, Part, thread_times


def _parts(rows: list[sqlite3.Row]) -> list[Part]:
    return [Part(r["id"], r["part"], r["status"], parse_ts(r["run_at"])) for r in rows]


class SqliteThreads:
    """`retry` and `reschedule` of a whole thread; threads kept in order by `enqueue`."""

    _tx: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _event: Callable[..., None]
    _job_from_row: Callable[[sqlite3.Row], Job]  # the store's row mapper (no import cycle)

    @staticmethod
    def _thread_of(c: sqlite3.Connection, job_id: int) -> tuple[sqlite3.Row, list[sqlite3.Row]]:
        row = c.execute(SQL["get"], {"id": job_id}).fetchone()
        if row is None:
            raise QueueError(f"no job #{job_id}")
        parts = c.execute(SQL["thread_parts"], {"campaign": row["campaign"], "account": row["account"],
                                                "highlight_id": row["highlight_id"]}).fetchall()
        return row, parts

    def retry(self, job_id: int, *, now: datetime) -> Job:
        """Queue a failed or cancelled job again, now, with every failed or cancelled part of its
        thread: the thread goes out whole, in order, back to back."""
        n = ts(now)
        with self._tx() as c:
            row, thread = self._thread_of(c, job_id)
            if row["status"] not in ("failed", "cancelled"):
                raise QueueError(f"job #{job_id} is {row['status']}; only failed or cancelled jobs can be retried")
            moving = {r["id"] for r in thread if r["status"] in ("failed", "cancelled")}
            times = thread_times(_parts(thread), moving=moving, start=utc(now))
            job: Job | None = None
            for r in thread:
                if r["id"] not in moving:
                    continue
                run_at = ts(times[r["id"]]) if r["id"] in times else r["run_at"]
                back = c.execute(SQL["thread_retry"], {"id": r["id"], "run_at": run_at, "now": n}).fetchone()
                if r["id"] == job_id:
                    job = self._job_from_row(back)
                    detail = "retry by hand" + (
                        "; an earlier attempt may have landed: it is looked for before anything is sent"
                        if r["uncertain"] else "")
                else:
                    detail = f"part {row['part'] + 1} retried by hand"
                self._event(c, r["id"], "requeued", n, 0, None, detail)
        assert job is not None
        return job

    def reschedule(self, job_id: int, *, at: datetime, now: datetime) -> Job:
        """Move a queued job's whole thread: its first queued part to `at`, the others after it
        in order, keeping their gaps; a part is never due before its previous part."""
        n = ts(now)
        with self._tx() as c:
            row, thread = self._thread_of(c, job_id)
            if row["status"] != "todo":
                raise QueueError(f"job #{job_id} is {row['status']}; only queued (todo) jobs can be rescheduled")
            moving = {r["id"] for r in thread if r["status"] == "todo"}
            times = thread_times(_parts(thread), moving=moving, start=utc(at))
            job: Job | None = None
            for r in thread:
                if r["id"] not in moving:
                    continue
                new = ts(times[r["id"]]) if r["id"] in times else r["run_at"]
                moved = c.execute(SQL["thread_move"], {"id": r["id"], "run_at": new, "now": n}).fetchone()
                mine = r["id"] == job_id
                if mine:
                    job = self._job_from_row(moved)
                self._event(c, r["id"], "rescheduled", n, r["attempts"] if mine else 0, None,
                            f"{r['run_at']} -> {new}" + ("" if mine else f" (with part {row['part'] + 1})"))
        assert job is not None
        return job

    @staticmethod
    def _hand_cancel(c: sqlite3.Connection, job_ids: list[int]) -> None:
        """Remember that these jobs were cancelled by hand (kept cancelled by a re-queue)."""
        for i in job_ids:
            c.execute(SQL["hand_set"], {"id": i, "by_hand": HAND_CANCEL})

    def _order_threads(self, c: sqlite3.Connection, campaign: str, items: list[EnqueueItem],
                       n: str) -> list[EnqueueItem]:
        """After an enqueue: a queued part due before its previous queued part goes at that part's
        time (a part added to a thread moved by hand); `items` amended to say so."""
        threads: dict[tuple[str, str], list[sqlite3.Row]] = {}
        for r in c.execute(SQL["campaign_parts"], {"campaign": campaign}).fetchall():
            threads.setdefault((r["account"], r["highlight_id"]), []).append(r)
        moved: dict[int, str] = {}
        for rows in threads.values():
            times = thread_times(_parts(rows))
            for r in sorted(rows, key=lambda r: r["part"]):
                if r["id"] in times:
                    why = f"moved after part {r['part']} of its thread"
                    new = ts(times[r["id"]])
                    c.execute(SQL["set_run_at"], {"id": r["id"], "run_at": new, "now": n})
                    self._event(c, r["id"], "rescheduled", n, r["attempts"], None, f"{r['run_at']} -> {new} ({why})")
                    moved[r["id"]] = why
        return [moved_item(i, moved.get(i.job_id)) for i in items]
