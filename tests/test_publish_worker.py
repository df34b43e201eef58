"""The worker with injected time and scripted adapters: retries, reconcile, threads, limits, signals."""

from __future__ import annotations

import json
import os
import signal
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from campaign.errors import AdapterError, AuthError, RateLimitedError, RejectedError, TransientError
from campaign.models import Draft, Job, MediaRef, RemoteRef
from campaign.publish.adapters.base import AdapterContext
from campaign.publish.adapters.outbox import Faults, OutboxAdapter
from campaign.publish.retry import RetryPolicy, backoff, next_run
from campaign.publish.worker import (
    adapters_from_store,
    dead_owner,
    limits_from_store,
    run,
    worker_id,
)
from campaign.queue import Limit
from campaign.queue.sqlite import SqliteStore
from tests.helpers import T0, Clock, Scripted, make_draft, queue, record, worker


def test_publish_records_remote_id_and_events_in_order(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a, clock = Scripted(), Clock()
    report = worker(store, a, clock).run(once=True)
    assert report.succeeded == 1
    (job,) = store.jobs()
    assert job.status == "succeeded" and job.remote_id == f"id-{job.idempotency_key}"
    assert job.remote_url == f"https://example.test/{job.idempotency_key}"
    assert [e.kind for e in store.events(job.id)] == ["queued", "started", "succeeded"]
    assert a.calls == [f"publish {job.idempotency_key}"]


def test_nothing_sent_before_its_time(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a = Scripted()
    assert worker(store, a, Clock(T0 - timedelta(minutes=1))).run(once=True).handled == 0
    assert a.calls == []


def test_transient_error_retried_with_backoff_then_succeeds(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a, clock = Scripted([TransientError("503"), None]), Clock()
    w = worker(store, a, clock)
    assert w.run(once=True).retried == 1
    job = store.jobs()[0]
    assert job.status == "todo" and job.last_error == "503" and job.attempts == 1
    assert timedelta(seconds=30) <= job.run_at - T0 <= timedelta(seconds=38)  # base 30 s + ≤25 % jitter
    assert w.run(once=True).succeeded == 0  # not due yet
    clock.t = job.run_at
    assert w.run(once=True).succeeded == 1
    assert a.calls == [f"publish {job.idempotency_key}"] * 2  # not ambiguous: no find needed


def test_rate_limit_retry_after_wins(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a, clock = Scripted([RateLimitedError("429", retry_after=900)]), Clock()
    worker(store, a, clock).run(once=True)
    assert store.jobs()[0].run_at == T0 + timedelta(seconds=900)


@pytest.mark.parametrize("error", [AuthError("token revoked"), RejectedError("text too long: 300/280")])
def test_permanent_error_fails_at_once_with_the_platform_message(store: SqliteStore, error: AdapterError) -> None:
    queue(store, [make_draft("h1")])
    report = worker(store, Scripted([error]), Clock()).run(once=True)
    assert report.failed == 1
    job = store.jobs()[0]
    assert job.status == "failed" and job.last_error == str(error) and job.attempts == 1


def test_gives_up_after_max_attempts(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a, clock = Scripted([TransientError("down")] * 3), Clock()
    w = worker(store, a, clock, policy=RetryPolicy(max_attempts=3))
    for _ in range(3):
        w.run(once=True)
        clock.t = store.jobs()[0].run_at if store.jobs()[0].status == "todo" else clock.t
    job = store.jobs()[0]
    assert job.status == "failed" and job.last_error == "gave up after 3 attempts: down"


def test_ambiguous_error_reconciles_with_find_before_resending(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a = Scripted([TransientError("timeout after send", ambiguous=True)], land_on_error=True)
    clock = Clock()
    w = worker(store, a, clock)
    w.run(once=True)
    job = store.jobs()[0]
    clock.t = job.run_at
    report = w.run(once=True)
    assert report.reconciled == 1
    key = job.idempotency_key
    assert a.calls == [f"publish {key}", f"find {key}"]  # found it: never sent twice
    assert store.jobs()[0].status == "succeeded"


def test_ambiguous_error_not_landed_is_sent_again_after_find(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a, clock = Scripted([TransientError("reset", ambiguous=True)]), Clock()
    w = worker(store, a, clock)
    w.run(once=True)
    clock.t = store.jobs()[0].run_at
    assert w.run(once=True).succeeded == 1
    key = store.jobs()[0].idempotency_key
    assert a.calls == [f"publish {key}", f"find {key}", f"publish {key}"]
    assert "reconciled" in [e.kind for e in store.events(store.jobs()[0].id)]


def test_worker_killed_mid_call_is_reconciled_after_lease(store: SqliteStore) -> None:
    queue(store, [make_draft("h1"), make_draft("h2")])
    a = Scripted()
    # a worker claimed h1, published it, and died before recording it
    clock = Clock(T0 + timedelta(minutes=2))
    store.clock = clock  # the database's clock moves with the test's
    c = store.claim("ghost", now=T0 + timedelta(minutes=2), lease=timedelta(minutes=5))
    assert c is not None
    a.posted[c.job.idempotency_key] = (c.job.draft, None)
    clock.t = T0 + timedelta(minutes=3)
    w = worker(store, a, clock, lease=timedelta(minutes=5))
    assert w.run(once=True).succeeded == 1  # h2; h1 is still leased
    clock.t = T0 + timedelta(minutes=7)
    assert w.run(once=True).reconciled == 1
    assert [x for x in a.calls if x.startswith("publish")] == [f"publish {store.jobs()[1].idempotency_key}"]


def test_dead_local_owner_is_detected() -> None:
    me = worker_id()
    host, boot, pid, tok = me.split("/")
    assert not dead_owner(me.replace(tok, "other"), me)  # this process is alive
    assert dead_owner(f"{host}/{boot}/999999999/abc", me) == (boot != "-")
    assert not dead_owner(f"elsewhere/{boot}/999999999/abc", me)
    assert not dead_owner("garbage", me)


def test_thread_parts_reply_to_the_previous_part(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("one", "two", "three"))])
    a = Scripted()
    assert worker(store, a, Clock()).run(once=True).succeeded == 3
    jobs = store.jobs()
    refs = [a.posted[j.idempotency_key][1] for j in jobs]
    assert refs[0] is None
    assert refs[1] is not None and refs[1].id == jobs[0].remote_id
    assert refs[2] is not None and refs[2].id == jobs[1].remote_id
    assert [a.posted[j.idempotency_key][0].text for j in jobs] == ["one", "two", "three"]


def test_thread_part_waits_while_its_previous_part_retries(store: SqliteStore) -> None:
    queue(store, [make_draft("h1", parts=("one", "two"))])
    a, clock = Scripted([TransientError("503")]), Clock()
    w = worker(store, a, clock)
    assert w.run(once=True).handled == 1  # part 1 was not attempted
    first, second = sorted(store.jobs(), key=lambda j: j.part)
    assert (first.status, first.attempts, second.status, second.attempts) == ("todo", 1, "todo", 0)
    clock.t = first.run_at
    assert w.run(once=True).succeeded == 2


def test_account_rate_limit(store: SqliteStore) -> None:
    queue(store, [make_draft(f"h{i}") for i in range(5)])
    a, clock = Scripted(), Clock(T0 + timedelta(minutes=10))
    w = worker(store, a, clock, limits={"acct": Limit(2, timedelta(hours=1))})
    assert w.run(once=True).succeeded == 2
    clock.t += timedelta(minutes=59)
    assert w.run(once=True).succeeded == 0
    assert store.next_wake(now=clock.t, limits=w.limits) == T0 + timedelta(minutes=70)
    clock.t += timedelta(minutes=1)
    assert w.run(once=True).succeeded == 2


def test_limits_and_adapters_come_from_the_stored_campaign(store: SqliteStore, tmp_path: Path) -> None:
    accounts = {"acct": {"platform": "outbox", "path": str(tmp_path / "out"), "simulate": "x",
                         "rate_limit": {"posts": 3, "per": "3600s"}}}
    queue(store, [make_draft("h1")], accounts=accounts, base_dir=str(tmp_path))
    assert limits_from_store(store) == {"acct": Limit(3, timedelta(hours=1))}
    adapter = adapters_from_store(store, state_dir=tmp_path / "state")(store.jobs()[0])
    assert isinstance(adapter, OutboxAdapter) and adapter.folder == tmp_path / "out" / "acct"
    report = run(store, adapters_from_store(store, state_dir=tmp_path / "state"), now=Clock(), once=True,
                 handle_signals=False)
    assert report.succeeded == 1
    (post,) = (tmp_path / "out" / "acct").glob("*.json")
    assert json.loads(post.read_text())["text"] == "hello"


def test_sigterm_finishes_the_call_in_flight_then_stops(store: SqliteStore) -> None:
    queue(store, [make_draft(f"h{i}") for i in range(3)])

    class SignalsDuringPublish(Scripted):
        def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
            os.kill(os.getpid(), signal.SIGTERM)
            return super().publish(draft, key=key, reply_to=reply_to)

    a = SignalsDuringPublish()
    before = signal.getsignal(signal.SIGTERM)
    report = run(store, lambda job: a, now=Clock(T0 + timedelta(hours=1)), once=False, limits={})
    assert report.stopped and report.succeeded == 1
    assert [j.status for j in store.jobs()] == ["succeeded", "todo", "todo"]
    assert signal.getsignal(signal.SIGTERM) == before


def test_idle_worker_sleeps_until_the_next_due_job(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    clock = Clock(T0 - timedelta(minutes=10))
    waits: list[float] = []
    a = Scripted()
    w = worker(store, a, clock)

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.sleep(seconds)

    w.run(poll=timedelta(hours=1), sleep=sleep, max_jobs=1)
    assert waits == [600.0]  # one sleep, straight to the due time: no busy loop
    assert w.report.succeeded == 1


def test_dry_run_changes_nothing(store: SqliteStore) -> None:
    queue(store, [make_draft("h1"), make_draft("h2", parts=("a", "b"))])
    a = Scripted()
    report = run(store, lambda job: a, now=Clock(T0 + timedelta(hours=1)), dry_run=True, limits={})
    assert [j.highlight_id for j in report.due] == ["h1", "h2"]  # part 2 waits for part 1
    assert a.calls == [] and store.counts()["todo"] == 3
    assert all(len(store.events(j.id)) == 1 for j in store.jobs())


def test_adapter_that_cannot_be_built_fails_the_job(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")], accounts={"acct": {"platform": "nosuch"}})
    report = run(store, now=Clock(), once=True, handle_signals=False)
    assert report.failed == 1 and "no adapter for platform 'nosuch'" in (store.jobs()[0].last_error or "")


# --- retry policy --------------------------------------------------------------------------


def test_backoff_grows_and_is_capped() -> None:
    p = RetryPolicy(base=timedelta(seconds=10), factor=2, max_delay=timedelta(minutes=1), jitter=0)
    assert [backoff(n, p).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]
    assert backoff(3, RetryPolicy(), "k") == backoff(3, RetryPolicy(), "k")  # deterministic per seed


def test_next_run_rules() -> None:
    p = RetryPolicy(max_attempts=3, max_retry_after=timedelta(hours=2))
    assert next_run(1, RejectedError("no"), now=T0, policy=p) is None
    assert next_run(3, TransientError("x"), now=T0, policy=p) is None
    assert next_run(1, RateLimitedError("x", retry_after=10 ** 9), now=T0, policy=p) == T0 + timedelta(hours=2)
    assert next_run(1, OSError("reset"), now=T0, policy=p) is not None  # not ours: transient


# --- the outbox adapter --------------------------------------------------------------------


def outbox(tmp_path: Path, **settings) -> OutboxAdapter:
    return OutboxAdapter(AdapterContext("acct", "outbox", settings, base_dir=tmp_path))


def test_outbox_writes_json_named_by_key_and_is_idempotent(tmp_path: Path) -> None:
    img = tmp_path / "card.png"
    img.write_bytes(b"png")
    ob = outbox(tmp_path)
    d = make_draft("h1", parts=("Hello",), media=(MediaRef(str(img), "A card"),))
    ref = ob.publish(d, key="3kabc2def2ghi", reply_to=RemoteRef("p0", "u0"))
    path = tmp_path / "outbox" / "acct" / "3kabc2def2ghi.json"
    data = json.loads(path.read_text())
    assert data["text"] == "Hello" and data["reply_to"] == {"id": "p0", "url": "u0"}
    assert data["media"][0]["alt"] == "A card" and (path.parent / data["media"][0]["file"]).read_bytes() == b"png"
    assert ref.id == "3kabc2def2ghi" and ob.find(d, key="3kabc2def2ghi") == ref
    assert ob.find(d, key="3kabc2def2ggg") is None
    assert ob.publish(d, key="3kabc2def2ghi", reply_to=None) == ref
    assert (path.parent / "repeats.log").read_text() == "3kabc2def2ghi\n"
    assert ob.check().handle == "acct"


def test_outbox_enforces_the_simulated_platform(tmp_path: Path) -> None:
    ob = outbox(tmp_path, simulate="x", path="elsewhere")
    with pytest.raises(RejectedError, match="too long"):
        ob.publish(make_draft(parts=("x" * 300,)), key="k1", reply_to=None)
    assert ob.folder == tmp_path / "elsewhere" / "acct"


def test_outbox_faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Faults.parse("transient:0.2, crash-after:0.01,delay:0.5") == Faults(
        {"transient": 0.2, "crash-after": 0.01}, 0.5)
    with pytest.raises(AdapterError, match="unknown fault"):
        Faults.parse("explode:1")
    monkeypatch.setenv("CAMPAIGN_OUTBOX_FAIL", "ambiguous:1")
    ob = outbox(tmp_path)
    with pytest.raises(TransientError) as e:
        ob.publish(make_draft(), key="k2", reply_to=None)
    assert e.value.ambiguous and ob.find(make_draft(), key="k2") is not None
    monkeypatch.setenv("CAMPAIGN_OUTBOX_FAIL", "transient:1")
    with pytest.raises(TransientError) as e:
        outbox(tmp_path).publish(make_draft(), key="k3", reply_to=None)
    assert not e.value.ambiguous and ob.find(make_draft(), key="k3") is None


def test_job_dataclass_roundtrip(store: SqliteStore) -> None:
    d = make_draft("h1", parts=("a",), media=())
    queue(store, [d], accounts={"acct": {"platform": "outbox"}})
    job = store.jobs()[0]
    assert isinstance(job, Job) and job.draft == d and job.run_at.tzinfo == UTC
    assert record().anchor == T0
