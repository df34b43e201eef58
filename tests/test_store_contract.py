"""The `Store` contract, run against every store implementation.

Each test takes the `store` fixture, parametrized over `STORES`; a new store joins
the suite by adding its factory there. Time is always passed in (`now`), never read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign import tid
from campaign.errors import LeaseLost, QueueError
from campaign.models import Draft, MediaRef, PlannedPost, RemoteRef
from campaign.queue import (
    DEFAULT_LEASE,
    CampaignRecord,
    Claim,
    EnqueueReport,
    Limit,
    Store,
    enqueue_plan,
    new_jobs,
)
from campaign.queue.memory import MemoryStore
from campaign.queue.sqlite import SqliteStore
from tests.pg import postgres_store

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


class DbClock:
    """The store's own clock (SQLite's `'now'` in production), which leases are judged by; the
    tests move it by hand, apart from the `now` they pass as a worker's clock."""

    def __init__(self, t: datetime = T0) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def sqlite_store(tmp_path: Path, clock: DbClock | None = None) -> Store:
    return SqliteStore(tmp_path / "q.sqlite3", clock=clock)


def memory_store(tmp_path: Path, clock: DbClock | None = None) -> Store:
    return MemoryStore(tmp_path / "media", clock=clock)


# Every store implementation: a factory taking a fresh folder and the store's clock (None: its
# real one). PostgreSQL: a real server (tests/pg), a fresh schema per test.
STORES: list[Callable[[Path, DbClock | None], Store]] = [sqlite_store, memory_store, postgres_store]


@pytest.fixture
def db_clock() -> DbClock:
    return DbClock()


@pytest.fixture(params=STORES, ids=lambda factory: factory.__name__.removesuffix("_store"))
def store(request: pytest.FixtureRequest, tmp_path: Path, db_clock: DbClock) -> Iterator[Store]:
    s: Store = request.param(tmp_path, db_clock)
    yield s
    s.close()


@pytest.fixture(params=STORES, ids=lambda factory: factory.__name__.removesuffix("_store"))
def real_clock_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on its real clock (SQLite's `'now'`, the process's for the memory store)."""
    s: Store = request.param(tmp_path, None)
    yield s
    s.close()


def draft(hid: str = "h1", parts: tuple[str, ...] = ("hello",), account: str = "acct",
          media: tuple[MediaRef, ...] = ()) -> Draft:
    return Draft(highlight_id=hid, account=account, platform="outbox", parts=parts,
                 lengths=tuple(len(p) for p in parts), limit=500, media=media)


def record(slug: str = "camp", anchor: datetime = T0, name: str = "Camp") -> CampaignRecord:
    return CampaignRecord(slug=slug, name=name, zone="UTC", language="en", base_dir=".", config_path=None,
                          accounts={"acct": {"platform": "outbox"}}, anchor=anchor)


def queue(store: Store, *drafts: Draft, slug: str = "camp", now: datetime = T0, start: datetime = T0,
          notes: tuple[str, ...] = ()) -> EnqueueReport:
    """Queue the drafts one minute apart from `start` (every part of a thread at its draft's time)."""
    planned = [PlannedPost(d, k, start + i * MIN, "UTC", notes)
               for i, d in enumerate(drafts) for k in range(len(d.parts))]
    return enqueue_plan(store, record(slug), planned, now=now)


def claim(store: Store, owner: str = "w", now: datetime = T0, lease: timedelta = DEFAULT_LEASE,
          limits: Mapping[str, Limit] | None = None) -> Claim:
    c = store.claim(owner, now=now, lease=lease, limits=limits)
    assert c is not None, f"{owner} claimed nothing at {now}"
    return c


def kinds(store: Store, job_id: int) -> list[str]:
    return [e.kind for e in store.events(job_id)]


# --- campaigns -----------------------------------------------------------------------------


def test_campaign_saved_updated_and_listed(store: Store) -> None:
    assert store.campaign("camp") is None and store.campaigns() == []
    saved = store.save_campaign(record("camp"), now=T0)
    assert saved == record("camp")
    again = store.save_campaign(record("camp", anchor=T0 + HOUR, name="Renamed"), now=T0 + HOUR)
    assert again.name == "Renamed" and again.anchor == T0  # the first anchor stays
    store.save_campaign(record("a-first"), now=T0)
    assert [r.slug for r in store.campaigns()] == ["a-first", "camp"]
    got = store.campaign("camp")
    assert got == again
    got.accounts["acct"]["platform"] = "changed"  # the caller's copy, not the store's
    assert store.campaign("camp") == again


# --- enqueue and dedupe --------------------------------------------------------------------


def test_enqueue_adds_then_requeue_leaves_unchanged(store: Store) -> None:
    first = queue(store, draft("h1"), draft("h2", ("a", "b")), notes=("late slot",))
    assert first.counts() == {"added": 3} and first.late == ()
    assert [i.dedupe_key for i in first.items] == ["camp/h1/acct/0", "camp/h2/acct/0", "camp/h2/acct/1"]
    jobs = store.jobs()
    assert [(j.highlight_id, j.part, j.parts, j.status, j.attempts) for j in jobs] == [
        ("h1", 0, 1, "todo", 0), ("h2", 0, 2, "todo", 0), ("h2", 1, 2, "todo", 0)]
    keys = [j.idempotency_key for j in jobs]
    assert all(tid.is_valid(k) for k in keys) and len(set(keys)) == 3
    assert all(j.created_at == j.updated_at == T0 for j in jobs)
    (queued,) = store.events(jobs[0].id)
    assert (queued.kind, queued.attempt, queued.owner, queued.detail, queued.at) == ("queued", 0, None, "late slot", T0)
    again = queue(store, draft("h1"), draft("h2", ("a", "b")), now=T0 + HOUR)
    assert again.counts() == {"unchanged": 3}
    assert [j.idempotency_key for j in store.jobs()] == keys  # minted once
    assert kinds(store, jobs[0].id) == ["queued"]


def test_idempotency_keys_keep_increasing(store: Store) -> None:
    queue(store, draft("h1"), now=T0 + HOUR)
    queue(store, draft("h1"), draft("h2"), now=T0)  # an earlier clock still mints a later key
    k1, k2 = (j.idempotency_key for j in store.jobs())
    assert k2 > k1


def test_edited_or_moved_todo_job_is_updated(store: Store) -> None:
    queue(store, draft("h1", ("old",)), draft("h2"))
    report = queue(store, draft("h1", ("new",)), draft("h2"), start=T0 + HOUR, now=T0 + MIN)
    assert [(i.outcome, i.reason, i.status) for i in report.items] == [
        ("updated", "draft edited", "todo"), ("updated", "time changed", "todo")]
    one, two = store.jobs()
    assert one.draft.text == "new" and one.run_at == T0 + HOUR and one.updated_at == T0 + MIN
    assert two.run_at == T0 + HOUR + MIN
    update = store.events(one.id)[-1]
    assert (update.kind, update.detail) == ("updated", "draft edited; run_at 2026-03-02T09:00:00.000000Z")


def test_sent_job_is_left_alone(store: Store) -> None:
    queue(store, draft("h1", ("old",)))
    c = claim(store)
    store.succeed(c.job.id, "w", RemoteRef("r1", "https://x/r1"), now=T0)
    assert [(i.outcome, i.reason) for i in queue(store, draft("h1", ("old",))).items] == [("sent", "")]
    report = queue(store, draft("h1", ("new",)))
    (item,) = report.items
    assert (item.outcome, item.status) == ("sent", "succeeded") and "already sent" in item.reason
    assert store.get(c.job.id).draft.text == "old" and "1 already sent" in report.summary()


def test_doing_and_cancelled_jobs_are_kept(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"))
    doing = claim(store, now=T0 + HOUR).job
    (cancelled,) = store.cancel(job_id=doing.id + 1, now=T0)
    report = queue(store, draft("h1", ("edit",)), draft("h2", ("edit",)))
    assert [(i.job_id, i.outcome, i.status) for i in report.items] == [
        (doing.id, "kept", "doing"), (cancelled, "kept", "cancelled")]
    assert "being sent" in report.items[0].reason and "not queued again" in report.items[1].reason
    assert store.get(doing.id).draft.text == "hello"


def test_failed_job_requeued_only_when_edited(store: Store) -> None:
    queue(store, draft("h1", ("bad",)))
    c = claim(store)
    store.fail(c.job.id, "w", error="rejected: too long", now=T0)
    assert queue(store, draft("h1", ("bad",))).counts() == {"kept": 1}
    report = queue(store, draft("h1", ("good",)), now=T0 + MIN)
    assert [(i.outcome, i.status) for i in report.items] == [("requeued", "todo")]
    job = store.get(c.job.id)
    assert (job.status, job.attempts, job.last_error, job.draft.text) == ("todo", 0, None, "good")
    assert kinds(store, job.id) == ["queued", "started", "failed", "requeued"]


def test_edited_failed_thread_is_queued_again_whole(store: Store) -> None:
    queue(store, draft("h1", ("too long", "two")))
    c = claim(store)
    store.fail(c.job.id, "w", error="rejected: too long", now=T0)  # part 2 fails with it
    report = queue(store, draft("h1", ("short", "two")))
    assert [(i.outcome, i.reason) for i in report.items] == [
        ("requeued", "failed before; the edited draft is queued again"),
        ("requeued", "an earlier part of its thread was queued again")]
    assert [j.status for j in store.jobs()] == ["todo", "todo"]


def test_job_in_doubt_is_not_edited(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    store.retry_later(c.job.id, "w", run_at=T0 + 5 * MIN, error="timeout", now=T0, uncertain=True)
    report = queue(store, draft("h1", ("edit",)))
    assert [(i.outcome, i.status) for i in report.items] == [("kept", "todo")]
    assert "may have landed" in report.items[0].reason and store.get(c.job.id).draft.text == "hello"


def test_jobs_dropped_from_the_plan(store: Store) -> None:
    queue(store, *(draft(h) for h in ("h1", "h2", "h3", "h4", "h5")))
    sent = claim(store, now=T0 + HOUR).job
    store.succeed(sent.id, "w", RemoteRef("r"), now=T0 + HOUR)
    doing = claim(store, now=T0 + HOUR).job
    doubt = claim(store, now=T0 + HOUR).job
    store.retry_later(doubt.id, "w", run_at=T0 + 2 * HOUR, error="timeout", now=T0 + HOUR, uncertain=True)
    # h1 (sent), h2 (doing), h3 (in doubt) and h4 dropped; h5 kept at its time
    report = queue(store, draft("h5"), start=T0 + 4 * MIN, now=T0 + 2 * HOUR)
    assert [(i.dedupe_key, i.outcome, i.status) for i in report.items] == [
        ("camp/h2/acct/0", "kept", "doing"), ("camp/h3/acct/0", "kept", "todo"),
        ("camp/h4/acct/0", "cancelled", "cancelled"), ("camp/h5/acct/0", "unchanged", "todo")]
    h4 = store.jobs(status="cancelled")[0]
    assert store.events(h4.id)[-1].detail == "no longer in the campaign config"
    assert store.get(sent.id).status == "succeeded" and store.get(doing.id).status == "doing"


def test_failed_enqueue_changes_nothing(store: Store) -> None:
    queue(store, draft("h1"))
    before = (store.jobs(), store.events(1))
    dup = new_jobs("camp", [PlannedPost(draft("h2"), 0, T0, "UTC")] * 2, media_dir=None)
    with pytest.raises(QueueError, match="twice"):
        store.enqueue("camp", dup, now=T0)
    other = new_jobs("other", [PlannedPost(draft("h3"), 0, T0, "UTC")], media_dir=None)
    with pytest.raises(QueueError, match="belongs to campaign other"):
        store.enqueue("camp", new_jobs("camp", [PlannedPost(draft("h4"), 0, T0, "UTC")], media_dir=None)
                      + other, now=T0)
    assert (store.jobs(), store.events(1)) == before
    with pytest.raises(QueueError, match="no job"):
        store.events(2)
    queue(store, draft("h1"), draft("h2"))
    (event,) = store.events(2)  # nothing left over from the failed attempts
    assert (event.id, event.kind) == (2, "queued")


def test_naive_times_refused(store: Store) -> None:
    with pytest.raises(QueueError, match="naive"):
        queue(store, draft("h1"), now=datetime(2026, 3, 2, 8, 0))
    queue(store, draft("h1"))
    with pytest.raises(QueueError, match="naive"):
        store.claim("w", now=datetime(2026, 3, 2, 8, 0))
    assert store.jobs()[0].status == "todo"


def test_media_kept_in_the_store(store: Store, tmp_path: Path) -> None:
    img = tmp_path / "card.png"
    img.write_bytes(b"\x89PNG fake")
    queue(store, draft("h1", media=(MediaRef(str(img), "alt text"),)))
    img.unlink()
    (job,) = store.jobs()
    # the queued reference (a file beside the database, or a content key) gives a local file
    kept = store.media_file(job.draft.media[0].path)
    assert kept.parent == store.media_dir and kept.read_bytes() == b"\x89PNG fake"
    assert job.draft.media[0].alt == "alt text"


# --- claim ---------------------------------------------------------------------------------


def test_claim_takes_due_jobs_in_order_with_a_lease(store: Store) -> None:
    queue(store, draft("h2"), draft("h1"), start=T0)  # h2 at T0, h1 at T0+1m
    store.reschedule(2, at=T0, now=T0)  # same time: the lower id goes first
    assert store.claim("w", now=T0 - timedelta(seconds=1)) is None
    c = claim(store, now=T0, lease=2 * MIN)
    assert (c.job.highlight_id, c.owner, c.uncertain, c.reply_to) == ("h2", "w", False, None)
    assert (c.job.status, c.job.attempts, c.job.locked_until, c.job.updated_at) == ("doing", 1, T0 + 2 * MIN, T0)
    started = store.events(c.job.id)[-1]
    assert (started.kind, started.attempt, started.owner, started.detail, started.at) == ("started", 1, "w", None, T0)
    assert claim(store, "w2", now=T0).job.highlight_id == "h1"
    assert store.claim("w3", now=T0 + MIN) is None
    assert sorted(store.lease_owners()) == ["w", "w2"]


def test_threads_claim_each_job_once(store: Store) -> None:
    queue(store, *(draft(f"h{i}", account=f"a{i % 3}") for i in range(120)))
    got: list[int] = []

    def drain(owner: str) -> None:
        while (c := store.claim(owner, now=T0 + 5 * HOUR)) is not None:
            store.succeed(c.job.id, owner, RemoteRef(f"{owner}-{c.job.id}"), now=T0 + 5 * HOUR)
            got.append(c.job.id)

    threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [j.id for j in store.jobs()] and store.counts()["succeeded"] == 120


def test_thread_parts_go_in_order_with_reply_to(store: Store) -> None:
    queue(store, draft("h1", ("one", "two", "three")))
    later = T0 + HOUR
    c0 = claim(store, now=later)
    assert c0.job.part == 0 and c0.reply_to is None
    assert store.claim("w", now=later) is None  # part 1 waits for part 0
    assert store.due(now=later) == []
    store.succeed(c0.job.id, "w", RemoteRef("p0", "u0", {"cid": "c0"}), now=later)
    assert [j.part for j in store.due(now=later)] == [1]
    c1 = claim(store, now=later)
    assert c1.job.part == 1 and c1.reply_to == RemoteRef("p0", "u0", {"cid": "c0"})
    store.succeed(c1.job.id, "w", RemoteRef("p1"), now=later)
    c2 = claim(store, now=later)
    assert c2.job.part == 2 and c2.reply_to == RemoteRef("p1", None, {})


def test_expired_lease_is_reclaimed_uncertain(store: Store, db_clock: DbClock) -> None:
    queue(store, draft("h1"), draft("h2"))
    c = claim(store, "dead", now=T0, lease=MIN)
    db_clock.t = T0 + timedelta(seconds=59)
    assert store.claim("w2", now=T0 + timedelta(seconds=59)) is None  # h2 not due, h1 leased
    db_clock.t = T0 + 2 * MIN
    c2 = claim(store, "w2", now=T0 + 2 * MIN)  # the expired lease comes before the due h2
    assert c2.job.id == c.job.id and c2.uncertain and c2.job.attempts == 2
    assert store.events(c.job.id)[-1].detail == "reconciling: an earlier attempt may have landed"
    with pytest.raises(LeaseLost):
        store.succeed(c.job.id, "dead", RemoteRef("r"), now=T0 + 2 * MIN)
    assert not store.extend(c.job.id, "dead", lease=HOUR)
    done = store.succeed(c.job.id, "w2", RemoteRef("r"), now=T0 + 2 * MIN, reconciled=True)
    assert store.events(done.id)[-1].detail == "found by reconciling: r"


def test_extend_keeps_the_lease(store: Store, db_clock: DbClock) -> None:
    queue(store, draft("h1"))
    c = claim(store, now=T0, lease=MIN)
    assert store.extend(c.job.id, "w", lease=10 * MIN)
    assert store.get(c.job.id).locked_until == T0 + 10 * MIN
    db_clock.t = T0 + 5 * MIN
    assert store.claim("w2", now=T0 + 5 * MIN) is None
    assert not store.extend(c.job.id, "w2", lease=HOUR) and not store.extend(999, "w", lease=MIN)
    assert kinds(store, c.job.id) == ["queued", "started"]  # no event for a heartbeat


def test_extend_is_a_fence_a_lost_or_run_out_lease_fails(store: Store, db_clock: DbClock) -> None:
    queue(store, draft("h1"))
    c = claim(store, "paused", now=T0, lease=MIN)
    db_clock.t = T0 + 2 * MIN  # the worker was paused (SIGSTOP) longer than its lease
    assert not store.extend(c.job.id, "paused", lease=MIN)  # ran out: never renewed, never sent on
    taken = claim(store, "w2", now=T0 + 2 * MIN)
    assert taken.job.id == c.job.id and taken.uncertain
    assert not store.extend(c.job.id, "paused", lease=MIN)  # taken over
    assert store.extend(c.job.id, "w2", lease=MIN)


def test_leases_are_judged_by_the_store_clock_not_the_worker_now(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"))
    c = claim(store, "w1", now=T0 + HOUR)
    # a worker whose clock runs 10 minutes (or a day) ahead takes the due h2, never w1's live lease
    ahead = claim(store, "w2", now=T0 + HOUR + 10 * MIN)
    assert ahead.job.id != c.job.id
    assert store.claim("w3", now=T0 + 30 * HOUR) is None
    assert store.get(c.job.id).locked_until == T0 + DEFAULT_LEASE  # the store's time, not the worker's


def test_real_clock_store_leases_follow_the_database_clock(real_clock_store: Store) -> None:
    store = real_clock_store
    queue(store, draft("h1"), draft("h2"))
    c = claim(store, "w1", now=T0 + HOUR)
    before = datetime.now(UTC)
    lease_end = store.get(c.job.id).locked_until
    assert lease_end is not None and abs(lease_end - (before + DEFAULT_LEASE)) < timedelta(seconds=5)
    far_ahead = datetime.now(UTC) + timedelta(days=400)  # a worker whose clock runs a year ahead
    taken = claim(store, "w2", now=far_ahead)
    assert taken.job.id != c.job.id and not taken.uncertain
    assert store.claim("w3", now=far_ahead) is None


def test_expire_leases_of_a_dead_owner(store: Store, db_clock: DbClock) -> None:
    db_clock.t = T0 + HOUR
    queue(store, draft("h1"), draft("h2"), draft("h3"))
    a, b = claim(store, "dead", now=T0 + HOUR).job, claim(store, "dead", now=T0 + HOUR).job
    other = claim(store, "alive", now=T0 + HOUR).job
    assert sorted(store.lease_owners()) == ["alive", "dead"]
    assert store.expire_leases("dead", now=T0 + HOUR, reason="worker dead is gone") == 2
    assert store.expire_leases("dead", now=T0 + HOUR, reason="again") == 0  # already expired
    event = store.events(a.id)[-1]
    assert (event.kind, event.attempt, event.owner, event.detail) == ("lease-expired", 1, "dead", "worker dead is gone")
    assert store.get(b.id).locked_until == T0 + HOUR
    assert store.get(other.id).locked_until == T0 + HOUR + DEFAULT_LEASE  # another owner's lease stays
    again = claim(store, "w", now=T0 + HOUR)
    assert again.job.id == a.id and again.uncertain


# --- guarded transitions -------------------------------------------------------------------


def test_transitions_are_guarded_by_owner_and_state(store: Store) -> None:
    queue(store, draft("h1"))
    job_id = claim(store, "w1").job.id
    with pytest.raises(LeaseLost, match=r"\(doing, held by w1\)") as lost:
        store.succeed(job_id, "w2", RemoteRef("r"), now=T0)
    assert (lost.value.job_id, lost.value.owner) == (job_id, "w2") and isinstance(lost.value, QueueError)
    done = store.succeed(job_id, "w1", RemoteRef("r", "u", {"cid": "c"}), now=T0 + MIN)
    assert (done.status, done.remote_id, done.remote_url, done.remote_extra) == ("succeeded", "r", "u", {"cid": "c"})
    assert done.locked_until is None and done.last_error is None and done.updated_at == T0 + MIN
    calls: list[Callable[[], object]] = [
        lambda: store.succeed(job_id, "w1", RemoteRef("r"), now=T0),
        lambda: store.fail(job_id, "w1", error="x", now=T0),
        lambda: store.retry_later(job_id, "w1", run_at=T0, error="x", now=T0, uncertain=False),
        lambda: store.release(job_id, "w1", now=T0),
    ]
    for call in calls:
        with pytest.raises(LeaseLost, match=r"\(succeeded, held by None\)"):
            call()
    with pytest.raises(LeaseLost, match="missing"):
        store.fail(999, "w1", error="x", now=T0)
    assert kinds(store, job_id) == ["queued", "started", "succeeded"]


def test_retry_later_requeues_with_the_error(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    job = store.retry_later(c.job.id, "w", run_at=T0 + 5 * MIN, error="503", now=T0 + MIN, uncertain=False)
    assert (job.status, job.run_at, job.last_error, job.attempts, job.locked_until) == (
        "todo", T0 + 5 * MIN, "503", 1, None)
    event = store.events(job.id)[-1]
    assert (event.kind, event.attempt, event.owner, event.detail) == (
        "retry", 1, "w", "503; next attempt 2026-03-02T08:05:00.000000Z")
    assert store.claim("w", now=T0 + 4 * MIN) is None
    c2 = claim(store, now=T0 + 5 * MIN)
    assert not c2.uncertain and c2.job.attempts == 2 and c2.job.last_error == "503"


def test_ambiguous_retry_comes_back_uncertain_until_cleared(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    store.retry_later(c.job.id, "w", run_at=T0, error="timeout", now=T0, uncertain=True)
    assert store.events(c.job.id)[-1].detail.endswith("; may have landed")  # type: ignore[union-attr]
    c2 = claim(store)
    assert c2.uncertain
    store.retry_later(c2.job.id, "w", run_at=T0, error="503", now=T0, uncertain=False)
    assert not claim(store).uncertain  # a clean error says it did not land


def test_fail_fails_the_rest_of_its_thread(store: Store) -> None:
    queue(store, draft("h1", ("one", "two", "three")), draft("h2"))
    c0 = claim(store)
    failed = store.fail(c0.job.id, "w", error="rejected", now=T0 + MIN)
    assert (failed.status, failed.last_error, failed.locked_until) == ("failed", "rejected", None)
    states = [(j.part, j.status, j.last_error) for j in store.jobs() if j.highlight_id == "h1"]
    assert states == [(0, "failed", "rejected"), (1, "failed", "part 1 of the thread failed"),
                      (2, "failed", "part 1 of the thread failed")]
    later = store.events(c0.job.id + 1)[-1]
    assert (later.kind, later.attempt, later.owner, later.detail) == ("failed", 0, None, "part 1 of the thread failed")
    assert store.jobs(status="todo")[0].highlight_id == "h2"


def test_release_gives_the_attempt_back(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    job = store.release(c.job.id, "w", now=T0)
    assert (job.status, job.attempts, job.locked_until) == ("todo", 0, None)
    event = store.events(job.id)[-1]
    assert (event.kind, event.attempt, event.detail) == ("released", 0, "worker stopping; not sent")
    assert not claim(store).uncertain  # released: certainly not sent


def test_note_appends_an_event(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    store.note(c.job.id, "reconciled", now=T0 + MIN, owner="w", detail="found it")
    event = store.events(c.job.id)[-1]
    assert (event.kind, event.at, event.attempt, event.owner, event.detail) == (
        "reconciled", T0 + MIN, 1, "w", "found it")
    with pytest.raises(QueueError, match="no job #999"):
        store.note(999, "x", now=T0)


def test_every_transition_appends_one_event(store: Store, db_clock: DbClock) -> None:
    queue(store, draft("h1"))
    c = claim(store, lease=MIN)
    store.retry_later(c.job.id, "w", run_at=T0, error="503", now=T0, uncertain=False)
    c = claim(store, lease=MIN)
    store.release(c.job.id, "w", now=T0)
    c = claim(store, "dead", lease=MIN)
    db_clock.t = T0 + 2 * MIN
    c = claim(store, "w", now=T0 + 2 * MIN)
    store.fail(c.job.id, "w", error="bad", now=T0 + 2 * MIN)
    store.retry(c.job.id, now=T0 + 3 * MIN)
    store.reschedule(c.job.id, at=T0 + HOUR, now=T0 + 3 * MIN)
    store.cancel(job_id=c.job.id, now=T0 + 4 * MIN)
    events = store.events(c.job.id)
    assert [e.kind for e in events] == ["queued", "started", "retry", "started", "released", "started", "started",
                                        "failed", "requeued", "rescheduled", "cancelled"]
    assert [e.attempt for e in events] == [0, 1, 1, 2, 1, 2, 3, 3, 0, 0, 0]
    assert [e.id for e in events] == sorted({e.id for e in events})


# --- admin: cancel, retry, reschedule ------------------------------------------------------


def test_cancel_one_job_cancels_the_rest_of_its_thread(store: Store) -> None:
    queue(store, draft("h1", ("a", "b", "c")), draft("h2"))
    a0, a1, a2, b = store.jobs()
    assert store.cancel(job_id=a1.id, now=T0) == [a1.id, a2.id]
    assert [store.get(j.id).status for j in (a0, a1, a2)] == ["todo", "cancelled", "cancelled"]
    assert store.events(a1.id)[-1].detail == "cancelled by hand"
    assert store.events(a2.id)[-1].detail == "part 2 of the thread cancelled"
    with pytest.raises(QueueError, match="already cancelled"):
        store.cancel(job_id=a1.id, now=T0)
    doing = claim(store).job
    with pytest.raises(QueueError, match="being sent right now"):
        store.cancel(job_id=doing.id, now=T0)
    store.succeed(doing.id, "w", RemoteRef("r"), now=T0)
    with pytest.raises(QueueError, match="already sent"):
        store.cancel(job_id=doing.id, now=T0)
    for bad in ({}, {"job_id": 1, "campaign": "camp"}):
        with pytest.raises(QueueError, match="cancel one job or one campaign"):
            store.cancel(now=T0, **bad)  # type: ignore[arg-type]
    with pytest.raises(QueueError, match="no job #999"):
        store.cancel(job_id=999, now=T0)
    assert store.cancel(campaign="camp", now=T0) == [b.id]


def test_cancel_a_job_in_doubt_says_so(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    store.retry_later(c.job.id, "w", run_at=T0 + HOUR, error="timeout", now=T0, uncertain=True)
    store.cancel(job_id=c.job.id, now=T0)
    assert store.events(c.job.id)[-1].detail == "cancelled by hand; an earlier attempt may have landed"


def test_cancel_a_campaign_cancels_its_queued_jobs(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"), draft("h3"))
    queue(store, draft("h1"), slug="other")
    doing = claim(store, now=T0 + HOUR).job
    assert sorted(store.cancel(campaign="camp", now=T0 + HOUR)) == [doing.id + 1, doing.id + 2]
    assert store.counts(campaign="camp") == {"todo": 0, "doing": 1, "succeeded": 0, "failed": 0, "cancelled": 2}
    assert store.counts(campaign="other")["todo"] == 1
    assert store.events(doing.id + 1)[-1].detail == "campaign cancelled"
    assert store.cancel(campaign="nothing", now=T0) == []


def test_retry_brings_a_failed_thread_back(store: Store) -> None:
    queue(store, draft("h1", ("one", "two")), draft("h2"))
    c0 = claim(store)
    store.fail(c0.job.id, "w", error="auth", now=T0)
    with pytest.raises(QueueError, match="only failed or cancelled"):
        store.retry(c0.job.id + 2, now=T0)
    with pytest.raises(QueueError, match="no job #999"):
        store.retry(999, now=T0)
    job = store.retry(c0.job.id, now=T0 + HOUR)
    assert (job.status, job.attempts, job.last_error, job.run_at) == ("todo", 0, None, T0 + HOUR)
    part1 = store.get(c0.job.id + 1)
    assert (part1.status, part1.attempts, part1.last_error, part1.run_at) == ("todo", 0, None, T0 + HOUR)  # with it
    assert store.events(part1.id)[-1].detail == "part 1 retried by hand"
    assert store.events(job.id)[-1].detail == "retry by hand"


def test_reschedule_moves_the_thread_together(store: Store) -> None:
    queue(store, draft("h1", ("a", "b")), draft("h2"))
    a0, a1, b = store.jobs()
    moved = store.reschedule(a0.id, at=T0 + timedelta(days=1), now=T0 - HOUR)
    assert moved.run_at == T0 + timedelta(days=1) and moved.updated_at == T0 - HOUR
    assert store.get(a1.id).run_at == T0 + timedelta(days=1)
    assert store.events(a0.id)[-1].detail == "2026-03-02T08:00:00.000000Z -> 2026-03-03T08:00:00.000000Z"
    assert store.events(a1.id)[-1].detail == (
        "2026-03-02T08:00:00.000000Z -> 2026-03-03T08:00:00.000000Z (with part 1)")
    assert store.get(b.id).run_at == T0 + MIN
    claim(store, now=T0 + MIN)
    with pytest.raises(QueueError, match="only queued"):
        store.reschedule(b.id, at=T0, now=T0)
    with pytest.raises(QueueError, match="no job #999"):
        store.reschedule(999, at=T0, now=T0)


# --- rate limits, next_wake, due -----------------------------------------------------------


def test_rate_limit_checked_inside_claim(store: Store) -> None:
    queue(store, *(draft(f"h{i}") for i in range(4)), draft("other", account="b"))
    lim = {"acct": Limit(2, HOUR)}
    now = T0 + 10 * MIN
    for at in (now, now + MIN):
        c = claim(store, now=at, limits=lim)
        store.succeed(c.job.id, "w", RemoteRef(str(c.job.id)), now=at)
    c = claim(store, now=now + MIN, limits=lim)
    assert c.job.account == "b"  # the limited account waits, the other goes
    store.succeed(c.job.id, "w", RemoteRef("b"), now=now + MIN)
    assert store.claim("w", now=now + MIN, limits=lim) is None
    assert store.next_wake(now=now + MIN, limits=lim) == now + HOUR  # the oldest start leaves the window
    assert len(store.due(now=now + MIN)) == 2  # due, but the account is at its limit
    assert store.claim("w", now=now + HOUR, limits=lim) is not None  # a start `per` ago is out of the window


def test_next_wake(store: Store, db_clock: DbClock) -> None:
    assert store.next_wake(now=T0) is None
    queue(store, draft("h1", ("a", "b")), draft("h2"))
    assert store.next_wake(now=T0 - HOUR) == T0
    c = claim(store, now=T0, lease=10 * MIN)
    assert store.next_wake(now=T0) == T0 + MIN  # h2; part b waits for part a
    db_clock.t = T0 + MIN
    h2 = claim(store, now=T0 + MIN, lease=5 * MIN)
    assert store.next_wake(now=T0 + MIN) == T0 + 6 * MIN  # the earliest lease end
    store.succeed(h2.job.id, "w", RemoteRef("r"), now=T0 + MIN)
    store.succeed(c.job.id, "w", RemoteRef("r"), now=T0 + MIN)
    assert store.next_wake(now=T0 + MIN) == T0  # part b, due since T0
    assert store.next_wake(now=T0 + MIN, limits={"acct": Limit(1, HOUR)}) == T0 + MIN + HOUR
    db_clock.t = T0 + 2 * MIN
    claim(store, now=T0 + 2 * MIN)
    # its lease ends at T0 + 7 min, but the account is at its limit: nothing is claimable before it lifts
    assert store.next_wake(now=T0 + 2 * MIN, limits={"acct": Limit(1, HOUR)}) == T0 + 2 * MIN + HOUR
    assert store.next_wake(now=T0 + 2 * MIN) == T0 + 7 * MIN  # with no limit, the lease end


def test_next_wake_skips_a_lease_claim_cannot_take(store: Store) -> None:
    queue(store, draft("h1"))
    lim = {"acct": Limit(1, HOUR)}
    claim(store, "dead", now=T0, limits=lim)  # its start fills the account's limit
    store.expire_leases("dead", now=T0 + MIN, reason="worker dead is gone")
    assert store.claim("w", now=T0 + 2 * MIN, limits=lim) is None
    assert store.next_wake(now=T0 + 2 * MIN, limits=lim) == T0 + HOUR  # not T0 + MIN, in the past


def test_due_lists_ready_jobs_in_order(store: Store) -> None:
    queue(store, draft("h1", ("a", "b")), draft("h2"), draft("h3"))
    assert store.due(now=T0 - MIN) == []
    assert [(j.highlight_id, j.part) for j in store.due(now=T0 + HOUR)] == [("h1", 0), ("h2", 0), ("h3", 0)]
    assert len(store.due(now=T0 + HOUR, limit=2)) == 2
    claim(store)
    assert [j.highlight_id for j in store.due(now=T0 + MIN)] == ["h2"]


# --- inspection ----------------------------------------------------------------------------


def test_jobs_counts_and_get(store: Store) -> None:
    assert store.counts() == {"todo": 0, "doing": 0, "succeeded": 0, "failed": 0, "cancelled": 0}
    queue(store, draft("h2"), draft("h1"))
    queue(store, draft("h3"), slug="other", start=T0 - HOUR)
    claim(store, now=T0 - HOUR)
    assert [j.highlight_id for j in store.jobs()] == ["h3", "h2", "h1"]  # by run_at, then id
    assert [j.highlight_id for j in store.jobs(campaign="camp")] == ["h2", "h1"]
    assert [j.highlight_id for j in store.jobs(status="doing")] == ["h3"]
    assert [j.highlight_id for j in store.jobs(limit=1)] == ["h3"] and store.jobs(limit=0) == []
    assert store.jobs(status="todo", campaign="other") == []
    assert store.counts() == {"todo": 2, "doing": 1, "succeeded": 0, "failed": 0, "cancelled": 0}
    assert store.counts(campaign="camp")["doing"] == 0
    with pytest.raises(QueueError, match="unknown state 'done'"):
        store.jobs(status="done")
    job = store.jobs()[0]
    assert store.get(job.id) == job
    with pytest.raises(QueueError, match="no job #999"):
        store.get(999)
    with pytest.raises(QueueError, match="no job #999"):
        store.events(999)


# --- the in-memory store's own -------------------------------------------------------------


def test_memory_store_media_in_a_temporary_folder() -> None:
    s = MemoryStore()
    folder = s.media_dir
    assert folder.is_dir()
    s.close()
    assert not folder.exists()
    with pytest.raises(QueueError, match="closed"):
        s.jobs()


# --- in doubt until reconciled (issue 14) ------------------------------------------------------


def test_a_job_that_may_have_landed_stays_uncertain_through_failure_and_retry(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    failed = store.fail(c.job.id, "w", error="timed out after sending", now=T0, uncertain=True)
    assert failed.status == "failed" and store.uncertain(c.job.id)
    assert store.events(c.job.id)[-1].detail == ("timed out after sending; may have landed: it is looked for "
                                                 "before any new attempt")
    back = store.retry(c.job.id, now=T0 + MIN)
    assert back.status == "todo" and store.uncertain(c.job.id)
    assert "may have landed" in (store.events(c.job.id)[-1].detail or "")
    again = claim(store, now=T0 + MIN)
    assert again.job.id == c.job.id and again.uncertain
    store.fail(c.job.id, "w", error="refused", now=T0 + MIN)  # a certain failure settles it
    assert not store.uncertain(c.job.id)
    store.retry(c.job.id, now=T0 + 2 * MIN)
    assert not claim(store, now=T0 + 2 * MIN).uncertain


def test_a_job_in_doubt_stays_uncertain_through_cancel_and_retry(store: Store) -> None:
    queue(store, draft("h1"))
    c = claim(store)
    store.retry_later(c.job.id, "w", run_at=T0 + HOUR, error="lost answer", now=T0, uncertain=True)
    store.cancel(job_id=c.job.id, now=T0 + MIN)
    assert store.get(c.job.id).status == "cancelled" and store.uncertain(c.job.id)
    store.retry(c.job.id, now=T0 + 2 * MIN)
    assert claim(store, now=T0 + 2 * MIN).uncertain


def test_requeueing_an_edited_failed_job_in_doubt_keeps_what_find_looks_for(store: Store) -> None:
    queue(store, draft("h1", ("a", "b")))
    c = claim(store)
    store.fail(c.job.id, "w", error="lost answer", now=T0, uncertain=True)
    report = queue(store, draft("h1", ("edited a", "edited b")), now=T0 + MIN)
    assert [(i.outcome, i.status) for i in report.items] == [("kept", "failed"), ("kept", "failed")]
    assert "reconciled" in report.items[0].reason
    assert store.get(c.job.id).draft.text == "a" and store.uncertain(c.job.id)


def test_errors_and_details_are_redacted_on_the_way_in_and_scrubbed_later(store: Store) -> None:
    from campaign import redact

    queue(store, draft("h1"), draft("h2"))
    c = claim(store)
    # the registry of secrets is process-wide: fresh secrets for each store
    early = "Ea" + os.urandom(8).hex()  # reached the store before it was known as a secret
    store.fail(c.job.id, "w", error=f"server said {early}", now=T0)
    known = "Kn" + os.urandom(8).hex()
    redact.register(known)
    c2 = claim(store, now=T0 + MIN)
    store.retry_later(c2.job.id, "w", run_at=T0 + HOUR, error=f"echo {known}", now=T0, uncertain=False)
    store.note(c2.job.id, "note", now=T0, detail=f"body {known[:12]}")
    assert known[8:] not in (store.get(c2.job.id).last_error or "")
    assert all(known[:10] not in (e.detail or "") for e in store.events(c2.job.id))
    assert early in (store.get(c.job.id).last_error or "")
    assert store.scrub(now=T0 + MIN) == []  # nothing known leaked yet
    redact.register(early)
    assert store.scrub(now=T0 + MIN) == [c.job.id]
    assert early not in (store.get(c.job.id).last_error or "")
    events = store.events(c.job.id)
    assert all(early not in (e.detail or "") for e in events) and events[-1].kind == "scrubbed"
    assert store.scrub(now=T0 + 2 * MIN) == []


def test_next_wake_tells_a_lease_end_on_the_callers_clock(store: Store) -> None:
    queue(store, draft("h1"))
    claim(store, "w1", now=T0, lease=5 * MIN)
    ahead = T0 + 10 * MIN  # a worker whose clock runs ten minutes ahead
    assert store.next_wake(now=ahead) == ahead + 5 * MIN  # not in its past: it sleeps, it does not spin


# --- busy accounts: a concurrent worker's posts in flight (issue 17) ------------------------


def test_claim_skips_busy_accounts(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"), draft("h3", account="b"), draft("h4", account="c"))
    later = T0 + HOUR
    first = store.claim("w", now=later, busy=("acct",))
    assert first is not None and first.job.account == "b"  # acct's posts wait for the one in flight
    second = store.claim("w", now=later, busy=("acct", "b"))
    assert second is not None and second.job.account == "c"
    assert store.claim("w", now=later, busy=["acct", "b", "c"]) is None
    assert [j.status for j in store.jobs() if j.account == "acct"] == ["todo", "todo"]
    c = store.claim("w", now=later, busy=frozenset({"b", "c"}))  # busy is any collection
    assert c is not None and c.job.highlight_id == "h1"  # in order once acct is free


def test_busy_accounts_skip_expired_leases_too_and_combine_with_limits(store: Store, db_clock: DbClock) -> None:
    queue(store, draft("h1"), draft("h2", account="b"), draft("h3", account="c"))
    later = T0 + HOUR
    db_clock.t = later
    dead = claim(store, "dead", now=later, lease=MIN)
    assert dead.job.account == "acct"
    db_clock.t = later + 2 * MIN  # its lease ran out: reclaimable, uncertain, except by a worker busy with acct
    got = store.claim("w", now=later + 2 * MIN, busy={"acct"}, limits={"b": Limit(1, HOUR)})
    assert got is not None and got.job.account == "b"  # b's limit is not reached yet
    assert store.claim("w", now=later + 2 * MIN, busy={"acct", "c"}, limits={"b": Limit(1, HOUR)}) is None
    back = store.claim("w2", now=later + 2 * MIN)
    assert back is not None and back.job.id == dead.job.id and back.uncertain


# --- day two: threads move whole, the organizer's edits are kept (issue 15) -----------------


def queue_plan(store: Store, *drafts: Draft, start: datetime = T0, now: datetime = T0, gap: timedelta = MIN,
               replan: bool = False) -> EnqueueReport:
    """Queue the drafts one hour apart from `start`, a thread's parts `gap` apart."""
    planned = [PlannedPost(d, k, start + i * HOUR + k * gap, "UTC")
               for i, d in enumerate(drafts) for k in range(len(d.parts))]
    return enqueue_plan(store, record(), planned, now=now, replan=replan)


def thread_of(store: Store, hid: str = "h1") -> list[tuple[int, str, datetime]]:
    return [(j.part, j.status, j.run_at) for j in sorted(store.jobs(), key=lambda j: j.part)
            if j.highlight_id == hid]


def test_retry_of_a_threads_first_part_requeues_the_whole_thread_now(store: Store) -> None:
    queue_plan(store, draft("h1", ("a", "b", "c")), start=T0 + 3 * HOUR)
    a0 = store.jobs()[0]
    store.cancel(job_id=a0.id, now=T0)  # parts 2 and 3 are cancelled with it, at their planned times
    store.retry(a0.id, now=T0 + MIN)
    later = T0 + MIN
    assert thread_of(store) == [(0, "todo", later), (1, "todo", later + MIN), (2, "todo", later + 2 * MIN)]


def test_retry_of_a_later_part_brings_the_earlier_parts_back_first(store: Store) -> None:
    queue_plan(store, draft("h1", ("a", "b", "c")))
    a0, a1, a2 = store.jobs()
    c = claim(store)
    store.succeed(c.job.id, "w", RemoteRef("r0"), now=T0)
    c = claim(store, now=T0 + MIN)
    store.fail(c.job.id, "w", error="rejected", now=T0 + MIN)  # part 3 fails with it
    store.retry(a2.id, now=T0 + HOUR)
    assert thread_of(store) == [(0, "succeeded", T0), (1, "todo", T0 + HOUR), (2, "todo", T0 + HOUR + MIN)]
    assert store.events(a1.id)[-1].kind == "requeued"


def test_reschedule_of_any_part_moves_the_whole_thread_in_order(store: Store) -> None:
    queue_plan(store, draft("h1", ("a", "b", "c")), draft("h2"), start=T0 + 3 * HOUR)
    a0, a1, a2, b = store.jobs()
    moved = store.reschedule(a1.id, at=T0, now=T0)  # "send part 2 now": the thread goes now, part 1 first
    assert moved.id == a1.id
    assert thread_of(store) == [(0, "todo", T0), (1, "todo", T0 + MIN), (2, "todo", T0 + 2 * MIN)]
    assert store.get(b.id).run_at == T0 + 4 * HOUR
    assert [k for k in kinds(store, a0.id)] == ["queued", "rescheduled"]
    c = claim(store, now=T0)  # the first part goes first
    assert c.job.id == a0.id


def test_reschedule_never_puts_a_part_before_a_part_in_flight_or_sent(store: Store) -> None:
    queue_plan(store, draft("h1", ("a", "b", "c")))
    c = claim(store)
    store.succeed(c.job.id, "w", RemoteRef("r0"), now=T0)
    _, a1, a2 = sorted(store.jobs(), key=lambda j: j.part)
    store.reschedule(a2.id, at=T0 + 2 * HOUR, now=T0)  # part 3 moves part 2 (still queued) with it
    assert thread_of(store)[1:] == [(1, "todo", T0 + 2 * HOUR), (2, "todo", T0 + 2 * HOUR + MIN)]


def test_requeue_keeps_a_reschedule_by_hand_unless_replan(store: Store) -> None:
    queue_plan(store, draft("h1"), draft("h2"))
    a, b = store.jobs()
    store.reschedule(a.id, at=T0 + 5 * HOUR, now=T0)
    report = queue_plan(store, draft("h1", ("edited",)), draft("h2", ("edited",)), now=T0 + MIN)
    assert [(i.job_id, i.outcome) for i in report.items] == [(a.id, "updated"), (b.id, "updated")]
    assert "moved by hand" in report.items[0].reason
    assert (store.get(a.id).run_at, store.get(a.id).draft.text) == (T0 + 5 * HOUR, "edited")
    report = queue_plan(store, draft("h1", ("edited",)), draft("h2", ("edited",)), now=T0 + 2 * MIN)
    assert [(i.outcome, i.reason.split(";")[0]) for i in report.items] == [
        ("kept", "moved by hand"), ("unchanged", "")]
    report = queue_plan(store, draft("h1", ("edited",)), draft("h2", ("edited",)), now=T0 + 3 * MIN, replan=True)
    assert [i.outcome for i in report.items] == ["updated", "unchanged"] and "--replan" in report.items[0].reason
    assert store.get(a.id).run_at == T0
    report = queue_plan(store, draft("h1", ("edited",)), draft("h2", ("edited",)), now=T0 + 4 * MIN)
    assert report.counts() == {"unchanged": 2}  # back on the plan: it follows the plan again


def test_requeue_keeps_a_cancel_by_hand_unless_replan(store: Store) -> None:
    queue_plan(store, draft("h1", ("a", "b")), draft("h2"))
    a0, a1, b = store.jobs()
    store.cancel(job_id=a0.id, now=T0)
    report = queue_plan(store, draft("h1", ("a", "b2")), draft("h2"), now=T0 + MIN)
    assert [(i.outcome, i.status) for i in report.items[:2]] == [("kept", "cancelled")] * 2
    assert "cancelled by hand" in report.items[0].reason
    assert [store.get(j.id).status for j in (a0, a1)] == ["cancelled", "cancelled"]
    report = queue_plan(store, draft("h1", ("a", "b2")), draft("h2"), now=T0 + 2 * MIN, replan=True)
    assert [(i.outcome, i.status) for i in report.items[:2]] == [("requeued", "todo")] * 2
    assert [store.get(j.id).status for j in (a0, a1)] == ["todo", "todo"]
    assert store.get(a1.id).draft.text == "b2"


def test_a_job_dropped_from_the_config_comes_back_with_it(store: Store) -> None:
    queue_plan(store, draft("h1"), draft("h2"))
    a, b = store.jobs()
    assert queue_plan(store, draft("h1")).counts() == {"unchanged": 1, "cancelled": 1}
    report = queue_plan(store, draft("h1"), draft("h2"))
    assert [(i.job_id, i.outcome, i.status) for i in report.items] == [
        (a.id, "unchanged", "todo"), (b.id, "requeued", "todo")]
    assert "back in the campaign config" in report.items[1].reason
    assert store.get(b.id).status == "todo"


def test_retry_by_hand_is_kept_by_a_requeue(store: Store) -> None:
    queue_plan(store, draft("h1"), start=T0 + 3 * HOUR)
    a = store.jobs()[0]
    store.cancel(job_id=a.id, now=T0)
    store.retry(a.id, now=T0 + MIN)
    report = queue_plan(store, draft("h1"), start=T0 + 3 * HOUR, now=T0 + 2 * MIN)
    assert report.items[0].outcome == "kept" and store.get(a.id).run_at == T0 + MIN


def test_a_part_added_to_a_thread_moved_by_hand_goes_after_its_previous_part(store: Store) -> None:
    queue_plan(store, draft("h1", ("a", "b")), start=T0 + HOUR)
    a0 = store.jobs()[0]
    store.reschedule(a0.id, at=T0 + 5 * HOUR, now=T0)
    report = queue_plan(store, draft("h1", ("a", "b", "c")), start=T0 + HOUR, now=T0 + MIN)
    times = [t for _, _, t in thread_of(store)]
    assert times == sorted(times) and times[0] == T0 + 5 * HOUR and times[2] >= T0 + 5 * HOUR + MIN
    added = report.of("added")
    assert [(i.outcome, i.reason) for i in added] == [("added", "moved after part 2 of its thread")]
    assert kinds(store, added[0].job_id) == ["queued", "rescheduled"]


# --- metrics snapshots (issue 19, `campaign report`) ---------------------------------------


def _published(store: Store, *hids: str, slug: str = "camp") -> list[int]:
    """Queue one draft per highlight id in `slug` and publish each; their job ids."""
    queue(store, *(draft(h) for h in hids), slug=slug)
    ids = []
    for _ in hids:
        c = claim(store, now=T0 + HOUR)
        store.succeed(c.job.id, "w", RemoteRef(f"r{c.job.id}"), now=T0 + HOUR)
        ids.append(c.job.id)
    return ids


def test_metrics_snapshots_are_appended_and_the_latest_read_per_job(store: Store) -> None:
    from campaign.models import Metrics

    a, b = _published(store, "h1", "h2")
    store.record_metrics({a: Metrics(3, 1, 0, 2), b: Metrics(1, 0, 0)}, now=T0 + 2 * HOUR)
    snaps = store.record_metrics({a: Metrics(5, 2, 1, None, simulated=True)}, now=T0 + 3 * HOUR)
    assert [(s.job_id, s.at, s.metrics.likes) for s in snaps] == [(a, T0 + 3 * HOUR, 5)]
    latest = store.latest_metrics("camp")
    assert sorted(latest) == [a, b]
    assert latest[a].metrics == Metrics(5, 2, 1, None, simulated=True, fetched_at=T0 + 3 * HOUR)
    assert latest[b].metrics.likes == 1 and latest[b].at == T0 + 2 * HOUR
    history = store.metrics_history("camp")
    assert [(s.job_id, s.metrics.likes, s.metrics.quotes) for s in history] == [(a, 3, 2), (b, 1, None), (a, 5, None)]
    assert [s.metrics.likes for s in store.metrics_history("camp", job_id=a)] == [3, 5]
    assert store.metrics_history("other") == [] and store.latest_metrics("other") == {}


def test_metrics_keep_gone_and_fetched_at_and_stay_per_campaign(store: Store) -> None:
    from campaign.models import Metrics

    (a,) = _published(store, "h1")
    (b,) = _published(store, "h1", slug="other")
    store.record_metrics({a: Metrics(gone=True, fetched_at=T0 + 5 * HOUR)}, now=T0 + 6 * HOUR)
    store.record_metrics({b: Metrics(7)}, now=T0 + 6 * HOUR)
    (snap,) = store.metrics_history("camp")
    assert snap.metrics.gone and snap.at == T0 + 5 * HOUR and snap.metrics.fetched_at == T0 + 5 * HOUR
    assert list(store.latest_metrics("other")) == [b]


def test_metrics_are_refused_for_unpublished_unknown_jobs_and_negative_counts(store: Store) -> None:
    from campaign.models import Metrics

    (a,) = _published(store, "h1")
    queue(store, draft("h1"), draft("h2"))
    todo = next(j for j in store.jobs() if j.status == "todo")
    for readings, words in (({todo.id: Metrics(1)}, "only a published post"), ({999: Metrics(1)}, "no job #999"),
                            ({a: Metrics(-1)}, "likes must be a count")):
        with pytest.raises(QueueError, match=words):
            store.record_metrics({a: Metrics(1), **readings}, now=T0 + 2 * HOUR)
    assert store.metrics_history("camp") == []  # all or nothing


def test_replacing_a_thread_leaves_the_campaigns_cancelled_jobs_cancelled(store: Store) -> None:
    from campaign.queue.store import replace_thread

    queue_plan(store, draft("h1", ("a", "b")), draft("h2"), draft("h3"))
    a0, _, b, c = store.jobs()
    store.cancel(job_id=b.id, now=T0)
    queue_plan(store, draft("h1", ("a", "b")), draft("h2"))  # h3 leaves the config: cancelled
    report = replace_thread(store, a0, draft("h1", ("a", "b", "c")), now=T0 + MIN, note="refit")
    assert [store.get(j).status for j in (b.id, c.id)] == ["cancelled", "cancelled"]
    assert [i.outcome for i in report.items if i.job_id in (b.id, c.id)] == []
