"""The SQLite job store: schema, dedupe on re-queue, atomic claim, guarded transitions, events."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from campaign import tid
from campaign.errors import LeaseLost, QueueError
from campaign.models import MediaRef, PlannedPost, RemoteRef
from campaign.queue import (
    Limit,
    enqueue_plan,
    new_jobs,
    open_store,
)
from campaign.queue.sqlite import SCHEMA_VERSION, SqliteStore
from tests.helpers import T0, Clock, make_draft, make_plan, queue, record

# --- schema --------------------------------------------------------------------------------


def test_schema_created_in_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "q.sqlite3"
    s = SqliteStore(path)
    assert s.schema_version() == SCHEMA_VERSION
    s.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"jobs", "job_events", "campaigns"} <= tables
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(QueueError, match="newer campaign"):
        SqliteStore(path)


def test_status_check_constraint(store: SqliteStore) -> None:
    queue(store, [make_draft()])
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute("UPDATE jobs SET status = 'done'")


def test_events_are_append_only(store: SqliteStore) -> None:
    queue(store, [make_draft()])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("UPDATE job_events SET kind = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._conn.execute("DELETE FROM job_events")


def test_default_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "env.sqlite3"))
    s = open_store()
    assert isinstance(s, SqliteStore) and s.path == tmp_path / "env.sqlite3"
    s.close()
    monkeypatch.delenv("CAMPAIGN_DB")
    s = open_store()
    assert isinstance(s, SqliteStore) and s.path is not None
    assert s.path.name == "queue.sqlite3" and "campaign" in str(s.path.parent)
    s.close()


# --- enqueue and dedupe --------------------------------------------------------------------


def test_requeue_same_plan_adds_nothing(store: SqliteStore) -> None:
    drafts = [make_draft("h1"), make_draft("h2", parts=("a", "b"))]
    first = queue(store, drafts)
    assert first.counts() == {"added": 3}
    keys = {j.dedupe_key: j.idempotency_key for j in store.jobs()}
    assert all(tid.is_valid(k) for k in keys.values()) and len(set(keys.values())) == 3
    again = queue(store, drafts, now=T0 + timedelta(hours=1))
    assert again.counts() == {"unchanged": 3}
    assert len(store.jobs()) == 3
    assert {j.dedupe_key: j.idempotency_key for j in store.jobs()} == keys  # keys minted once


def test_edited_draft_not_sent_is_updated(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("old",))])
    report = queue(store, [make_draft("h1", parts=("new",))])
    assert report.counts() == {"updated": 1}
    (job,) = store.jobs()
    assert job.draft.text == "new"
    assert [e.kind for e in store.events(job.id)] == ["queued", "updated"]


def test_edited_draft_already_sent_is_left_alone_and_reported(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("old",))])
    c = store.claim("w", now=T0)
    assert c is not None
    store.succeed(c.job.id, "w", RemoteRef("r1", "https://x/r1"), now=T0)
    report = queue(store, [make_draft("h1", parts=("new",))])
    (item,) = report.items
    assert item.outcome == "sent" and "already sent" in item.reason
    assert store.get(c.job.id).draft.text == "old"
    assert "1 already sent" in report.summary()


def test_failed_job_requeued_only_when_edited(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("bad",))])
    c = store.claim("w", now=T0)
    assert c is not None
    store.fail(c.job.id, "w", error="rejected: too long", now=T0)
    assert queue(store, [make_draft("h1", parts=("bad",))]).counts() == {"kept": 1}
    assert queue(store, [make_draft("h1", parts=("good",))]).counts() == {"requeued": 1}
    job = store.get(c.job.id)
    assert job.status == "todo" and job.attempts == 0 and job.draft.text == "good"


def test_job_dropped_from_config_is_cancelled(store: SqliteStore) -> None:
    queue(store, [make_draft("h1"), make_draft("h2")])
    report = queue(store, [make_draft("h1")])
    assert report.counts() == {"unchanged": 1, "cancelled": 1}
    assert store.counts()["cancelled"] == 1


def test_media_kept_content_addressed(store: SqliteStore, tmp_path: Path) -> None:
    img = tmp_path / "card.png"
    img.write_bytes(b"\x89PNG fake")
    d = make_draft("h1", media=(MediaRef(str(img), "alt text"),))
    queue(store, [d])
    img.unlink()  # the build folder may go away: the queue kept its copy
    (job,) = store.jobs()
    kept = Path(job.draft.media[0].path)
    assert kept.parent == store.media_dir and kept.read_bytes() == b"\x89PNG fake"
    assert job.draft.media[0].alt == "alt text"


def test_thread_parts_are_one_part_drafts_with_media_on_first(tmp_path: Path) -> None:
    img = tmp_path / "c.png"
    img.write_bytes(b"x")
    d = make_draft("h1", parts=("one", "two"), media=(MediaRef(str(img), "alt"),))
    jobs = new_jobs("camp", make_plan([d]), media_dir=tmp_path / "m")
    assert [(j.part, j.parts, j.draft.parts, len(j.draft.media)) for j in jobs] == [
        (0, 2, ("one",), 1), (1, 2, ("two",), 0)]


def test_naive_times_refused(store: SqliteStore) -> None:
    plan = [PlannedPost(make_draft(), 0, datetime(2026, 1, 1, 9), "UTC")]
    with pytest.raises(QueueError, match="naive"):
        enqueue_plan(store, record(), plan, now=T0)


# --- claim and transitions -----------------------------------------------------------------


def test_claim_due_in_order_with_lease_and_started_event(store: SqliteStore) -> None:
    queue(store, [make_draft("h1"), make_draft("h2")])  # at T0 and T0+1m
    store.clock = Clock(T0)  # the database's clock, which leases are judged by
    assert store.claim("w", now=T0 - timedelta(seconds=1)) is None
    c = store.claim("w", now=T0, lease=timedelta(minutes=2))
    assert c is not None and c.job.highlight_id == "h1" and not c.uncertain
    assert c.job.status == "doing" and c.job.attempts == 1
    assert c.job.locked_until == T0 + timedelta(minutes=2)
    assert [e.kind for e in store.events(c.job.id)] == ["queued", "started"]
    assert store.claim("w2", now=T0) is None  # h2 not due yet, h1 leased


def test_transitions_are_guarded_by_owner_and_state(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    c = store.claim("w1", now=T0)
    assert c is not None
    with pytest.raises(LeaseLost):
        store.succeed(c.job.id, "w2", RemoteRef("r"), now=T0)
    done = store.succeed(c.job.id, "w1", RemoteRef("r", "u", {"cid": "c"}), now=T0)
    assert done.status == "succeeded" and done.remote_extra == {"cid": "c"} and done.locked_until is None
    for call in (lambda: store.succeed(c.job.id, "w1", RemoteRef("r"), now=T0),
                 lambda: store.fail(c.job.id, "w1", error="x", now=T0),
                 lambda: store.retry_later(c.job.id, "w1", run_at=T0, error="x", now=T0, uncertain=False)):
        with pytest.raises(LeaseLost):
            call()


def test_expired_lease_comes_back_uncertain(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    store.clock = db = Clock(T0)
    c = store.claim("dead", now=T0, lease=timedelta(minutes=1))
    assert c is not None
    db.t = T0 + timedelta(seconds=59)
    assert store.claim("w2", now=T0 + timedelta(seconds=59)) is None
    db.t = T0 + timedelta(minutes=1)
    c2 = store.claim("w2", now=T0 + timedelta(minutes=1))
    assert c2 is not None and c2.uncertain and c2.job.attempts == 2
    with pytest.raises(LeaseLost):  # the dead worker cannot complete it any more
        store.succeed(c.job.id, "dead", RemoteRef("r"), now=T0)


def test_ambiguous_retry_comes_back_uncertain(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    c = store.claim("w", now=T0)
    assert c is not None
    store.retry_later(c.job.id, "w", run_at=T0 + timedelta(minutes=5), error="timeout", now=T0, uncertain=True)
    assert queue(store, [make_draft("h1", parts=("edit",))]).counts() == {"kept": 1}  # in doubt: no edit
    c2 = store.claim("w", now=T0 + timedelta(minutes=5))
    assert c2 is not None and c2.uncertain


def test_expire_leases_of_a_dead_owner(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    assert store.claim("dead", now=T0) is not None
    assert store.lease_owners() == ["dead"]
    assert store.expire_leases("dead", now=T0, reason="gone") == 1
    c = store.claim("w", now=T0)
    assert c is not None and c.uncertain
    assert "lease-expired" in [e.kind for e in store.events(c.job.id)]


def test_thread_part_waits_for_previous_and_gets_reply_to(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("one", "two", "three"))])
    later = T0 + timedelta(hours=1)
    c0 = store.claim("w", now=later)
    assert c0 is not None and c0.job.part == 0 and c0.reply_to is None
    assert store.claim("w", now=later) is None  # part 1 waits for part 0
    store.succeed(c0.job.id, "w", RemoteRef("p0", "u0"), now=later)
    c1 = store.claim("w", now=later)
    assert c1 is not None and c1.job.part == 1 and c1.reply_to == RemoteRef("p0", "u0", {})


def test_failed_part_fails_the_rest_of_its_thread(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("one", "two", "three"))])
    c0 = store.claim("w", now=T0)
    assert c0 is not None
    store.fail(c0.job.id, "w", error="rejected", now=T0)
    states = [(j.part, j.status, j.last_error) for j in store.jobs()]
    assert states[0][:2] == (0, "failed")
    assert [s[1] for s in states[1:]] == ["failed", "failed"]
    assert all("part 1 of the thread failed" in (s[2] or "") for s in states[1:])
    store.retry(c0.job.id, now=T0)  # retrying the first part brings the thread back
    assert [j.status for j in store.jobs()] == ["todo"] * 3


def test_rate_limit_checked_inside_claim(store: SqliteStore) -> None:
    queue(store, [make_draft(f"h{i}") for i in range(4)])
    lim = {"acct": Limit(2, timedelta(hours=1))}
    now = T0 + timedelta(minutes=10)
    for _ in range(2):
        c = store.claim("w", now=now, limits=lim)
        assert c is not None
        store.succeed(c.job.id, "w", RemoteRef(str(c.job.id)), now=now)
    assert store.claim("w", now=now, limits=lim) is None
    assert store.next_wake(now=now, limits=lim) == now + timedelta(hours=1)
    assert store.claim("w", now=now + timedelta(hours=1), limits=lim) is not None


def test_release_gives_the_attempt_back(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    c = store.claim("w", now=T0)
    assert c is not None
    job = store.release(c.job.id, "w", now=T0)
    assert job.status == "todo" and job.attempts == 0


def test_cancel_retry_reschedule(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("a", "b")), make_draft("h2")])
    a0, a1, b = store.jobs()
    assert store.cancel(job_id=a0.id, now=T0) == [a0.id, a1.id]
    with pytest.raises(QueueError, match="already cancelled"):
        store.cancel(job_id=a0.id, now=T0)
    with pytest.raises(QueueError, match="only failed or cancelled"):
        store.retry(b.id, now=T0)
    store.retry(a0.id, now=T0 + timedelta(minutes=3))
    assert store.get(a1.id).status == "todo"
    before0, before1 = store.get(a0.id).run_at, store.get(a1.id).run_at
    moved = store.reschedule(a0.id, at=T0 + timedelta(days=1), now=T0)
    assert moved.run_at == T0 + timedelta(days=1)
    assert store.get(a1.id).run_at == before1 + (moved.run_at - before0)  # the thread moves together
    assert store.cancel(campaign="camp", now=T0) == [a0.id, a1.id, b.id]
    with pytest.raises(QueueError, match="no job"):
        store.get(999)


def test_next_wake_is_the_next_due_time(store: SqliteStore) -> None:
    assert store.next_wake(now=T0) is None
    queue(store, [make_draft("h1"), make_draft("h2")])
    assert store.next_wake(now=T0 - timedelta(hours=1)) == T0
    c = store.claim("w", now=T0, lease=timedelta(minutes=10))
    assert c is not None
    assert store.next_wake(now=T0) == T0 + timedelta(minutes=1)


# --- two processes claiming at once --------------------------------------------------------


def _drain(path: str, name: str, out: multiprocessing.Queue) -> None:
    s = SqliteStore(path)
    got = []
    now = T0 + timedelta(days=1)
    while (c := s.claim(name, now=now)) is not None:
        s.succeed(c.job.id, name, RemoteRef(f"{name}-{c.job.id}"), now=now)
        got.append(c.job.id)
    s.close()
    out.put(got)


def test_two_processes_never_claim_the_same_job(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    s = SqliteStore(path)
    queue(s, [make_draft(f"h{i}") for i in range(600)])
    s.close()
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()
    procs = [ctx.Process(target=_drain, args=(str(path), f"w{i}", out)) for i in range(3)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    ids = [i for r in results for i in r]
    assert len(ids) == 600 and len(set(ids)) == 600
    s = SqliteStore(path)
    assert s.counts()["succeeded"] == 600
    s.close()


def test_edited_failed_thread_is_queued_again_whole(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("too long", "two"))])
    c = store.claim("w", now=T0)
    assert c is not None
    store.fail(c.job.id, "w", error="rejected: too long", now=T0)  # part 2 fails with it
    report = queue(store, [make_draft("h1", parts=("short", "two"))])
    assert report.counts() == {"requeued": 2}
    assert [j.status for j in store.jobs()] == ["todo", "todo"]
