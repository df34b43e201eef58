"""A thread's parts in time (campaign.queue.threads), and the organizer's edits remembered by a
queue written before they were (the SQLite migration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign.models import Draft, Job, PlannedPost
from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.schema import MIGRATIONS
from campaign.queue.sqlite import SqliteStore
from campaign.queue.threads import Part, send_order, thread_times

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def test_moving_parts_start_at_start_and_keep_their_gaps() -> None:
    parts = [Part(1, 0, "failed", T0 + 5 * HOUR), Part(2, 1, "failed", T0 + 2 * HOUR),
             Part(3, 2, "failed", T0 + 2 * HOUR + 3 * MIN)]
    # part 2's gap to part 1 is negative (part 1 was retried later): back to back, not before it
    assert thread_times(parts, moving={1, 2, 3}, start=T0) == {1: T0, 2: T0, 3: T0 + 3 * MIN}


def test_a_waiting_part_never_goes_before_its_previous_part() -> None:
    parts = [Part(1, 0, "succeeded", T0), Part(2, 1, "todo", T0 + 3 * HOUR), Part(3, 2, "todo", T0 + HOUR)]
    assert thread_times(parts) == {3: T0 + 3 * HOUR}
    parts = [Part(1, 0, "doing", T0 + 3 * HOUR), Part(2, 1, "todo", T0)]
    assert thread_times(parts) == {}  # a part in flight: the next one waits for it anyway
    with pytest.raises(ValueError):
        thread_times(parts, moving={2})


def job(i: int, part: int, at: datetime, hid: str = "t", account: str = "a", status: str = "todo") -> Job:
    d = Draft(hid, account, "outbox", ("x",), (1,), 500)
    return Job(i, "c", account, "outbox", hid, part, 3, f"c/{hid}/{account}/{part}", status,  # type: ignore[arg-type]
               at, "UTC", d)


def test_send_order_never_lists_a_part_before_its_previous_part() -> None:
    jobs = [job(1, 0, T0 + 2 * HOUR), job(2, 1, T0), job(3, 2, T0), job(4, 0, T0 + HOUR, hid="s"),
            job(9, 0, T0 + 2 * HOUR, hid="u"), job(8, 1, T0 + 2 * HOUR, hid="u")]
    assert [(j.highlight_id, j.part) for j in send_order(jobs)] == [
        ("s", 0), ("t", 0), ("t", 1), ("t", 2), ("u", 0), ("u", 1)]


def test_an_older_queue_keeps_the_reschedules_and_cancels_made_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    rec = CampaignRecord("c", "c", "UTC", "en", ".", None, {"a": {"platform": "outbox"}}, T0)
    drafts = [Draft(h, "a", "outbox", (f"post {h}",), (6,), 500) for h in ("h1", "h2", "h3", "h4")]
    planned = [PlannedPost(d, 0, T0 + i * HOUR, "UTC") for i, d in enumerate(drafts)]
    enqueue_plan(store, rec, planned, now=T0)
    h1, h2, h3, h4 = store.jobs()
    store.reschedule(h1.id, at=T0 + 9 * HOUR, now=T0)
    store.cancel(job_id=h2.id, now=T0)
    enqueue_plan(store, rec, planned[:2] + planned[3:], now=T0)  # h3 leaves the config
    store.close()
    import sqlite3

    # the queue as the version before this one wrote it
    conn = sqlite3.connect(db)
    version = next(i for i, m in enumerate(MIGRATIONS) if any("by_hand" in s for s in m))
    conn.execute("ALTER TABLE jobs DROP COLUMN by_hand")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()

    store = SqliteStore(db)
    report = enqueue_plan(store, rec, planned, now=T0 + MIN)  # h3 is back in the config
    assert [(i.job_id, i.outcome) for i in report.items] == [
        (h1.id, "kept"), (h2.id, "kept"), (h3.id, "requeued"), (h4.id, "unchanged")]
    assert store.get(h1.id).run_at == T0 + 9 * HOUR and store.get(h2.id).status == "cancelled"
    store.close()
