"""A worker with several posts in flight (issue 17): accounts in parallel, each account in order,
a 429 holding back one account only, SIGTERM, lease heartbeats, `campaign run --concurrency`."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.errors import QueueError, RateLimitedError, TransientError
from campaign.models import AccountInfo, Draft, Job, RemoteRef
from campaign.publish.inflight import Heartbeat, InFlight
from campaign.publish.worker import DEFAULT_CONCURRENCY, Worker, run
from campaign.queue import Limit
from campaign.queue.memory import MemoryStore
from campaign.queue.sqlite import SqliteStore
from tests.helpers import T0, Clock, make_draft, queue

LATER = T0 + timedelta(hours=1)  # every queued post is due


@dataclass
class Recorder:
    """An adapter shared by every account that records who is in flight, and can make the calls
    wait for each other (`meet`: the calls block until that many are in flight at once)."""

    meet: int = 0
    hold: float = 0.0  # seconds each call takes
    slow: dict[str, float] = field(default_factory=dict)  # per account, instead of `hold`
    answers: dict[str, list[BaseException | None]] = field(default_factory=dict)  # per account
    timeout: float = 10.0
    on_met: Callable[[], None] | None = None  # called once, when `meet` calls are in flight
    name = "recorder"
    credential_fields = ()
    rules = None

    def __post_init__(self) -> None:
        self.lock = threading.Condition()
        self.now_in: dict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.most = 0
        self.most_per_account = 0
        self.sent: dict[str, list[tuple[str, str | None]]] = defaultdict(list)  # account -> (text, reply_to)
        self.calls: dict[str, int] = defaultdict(int)
        self.met = threading.Event()
        self.done_at: dict[str, float] = {}  # account -> when its last post went out

    def check(self) -> AccountInfo:
        return AccountInfo("a", "recorder", "@a")

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        account = draft.account
        with self.lock:
            self.calls[account] += 1
            self.in_flight += 1
            self.now_in[account] += 1
            self.most = max(self.most, self.in_flight)
            self.most_per_account = max(self.most_per_account, self.now_in[account])
            self.lock.notify_all()
            if self.meet and not self.met.is_set():
                if not self.lock.wait_for(lambda: self.met.is_set() or self.in_flight >= self.meet, self.timeout):
                    raise AssertionError(f"only {self.in_flight} calls in flight, never {self.meet}")
                if not self.met.is_set() and self.on_met is not None:
                    self.on_met()
                self.met.set()  # once met, a call that leaves cannot strand the others
        try:
            time.sleep(self.slow.get(account, self.hold))
            script = self.answers.get(account)
            answer = script.pop(0) if script else None
            if answer is not None:
                raise answer
            with self.lock:
                self.sent[account].append((draft.text, reply_to.id if reply_to else None))
                self.done_at[account] = time.monotonic()
            return RemoteRef(f"id-{key}", f"https://example.test/{key}")
        finally:
            with self.lock:
                self.in_flight -= 1
                self.now_in[account] -= 1

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        return None


def drafts(accounts: int, each: int, *, thread: int = 0) -> list[Draft]:
    """`each` posts for each of `accounts` accounts, in a queue order that interleaves them; the
    first account also gets a thread of `thread` parts."""
    out = [make_draft(f"h{i}", account=f"a{k}", parts=(f"a{k} post {i}",))
           for i in range(each) for k in range(accounts)]
    if thread:
        out.insert(0, make_draft("t", account="a0", parts=tuple(f"a0 thread {p}" for p in range(thread))))
    return out


def worker(store: Any, adapter: Recorder, clock: Clock | None = None, **kw: Any) -> Worker:
    return Worker(store, lambda job: adapter, now=clock or Clock(LATER), limits=kw.pop("limits", {}), **kw)


# --- parallel across accounts, in order within one ----------------------------------------


@pytest.mark.parametrize("make_store", [SqliteStore, MemoryStore])
def test_posts_of_different_accounts_are_in_flight_together(tmp_path: Path, make_store: Any) -> None:
    store = make_store(tmp_path / "q.sqlite3") if make_store is SqliteStore else MemoryStore(tmp_path / "m")
    queue(store, drafts(accounts=6, each=3))
    adapter = Recorder(meet=6)  # each call waits until six are in flight: serial would fail
    report = worker(store, adapter, concurrency=6).run(once=True)
    assert report.succeeded == 18 and adapter.met.is_set()
    assert adapter.most == 6 and report.most_in_flight == 6
    assert adapter.most_per_account == 1
    store.close()


def test_no_more_in_flight_than_the_concurrency(store: SqliteStore) -> None:
    queue(store, drafts(accounts=10, each=2))
    adapter = Recorder(hold=0.05)
    report = worker(store, adapter, concurrency=3).run(once=True)
    assert report.succeeded == 20 and adapter.most == 3 and report.most_in_flight == 3


def test_one_post_of_an_account_at_a_time_in_order_and_a_thread_in_order(store: SqliteStore) -> None:
    queue(store, drafts(accounts=4, each=5, thread=3))
    adapter = Recorder(hold=0.01)
    report = worker(store, adapter, concurrency=8).run(once=True)
    assert report.succeeded == 23 and adapter.most_per_account == 1 and adapter.most == 4
    for k in range(1, 4):
        assert [t for t, _ in adapter.sent[f"a{k}"]] == [f"a{k} post {i}" for i in range(5)]
    a0 = adapter.sent["a0"]
    assert [t for t, _ in a0] == ["a0 thread 0", "a0 thread 1", "a0 thread 2"] + [f"a0 post {i}" for i in range(5)]
    jobs = {(j.highlight_id, j.part): j for j in store.jobs()}
    assert a0[1][1] == jobs[("t", 0)].remote_id and a0[2][1] == jobs[("t", 1)].remote_id  # replies in order


def test_run_once_sends_every_post_even_when_the_last_in_flight_ends_as_it_looks(store: SqliteStore) -> None:
    """`--once` ends only when nothing is due and nothing is in flight: a post that ends while
    the worker looks at the queue must not end the run with its account's next post left."""
    queue(store, drafts(accounts=1, each=3))  # one account: while its post is in flight, nothing to claim
    w: Worker

    class SlowToAnswer:  # the claim that finds nothing returns only once the posts in flight ended
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        def claim(self, *args: Any, **kw: Any) -> Any:
            got = store.claim(*args, **kw)
            if got is None and kw.get("busy"):
                deadline = time.monotonic() + 5
                while len(w.inflight) and time.monotonic() < deadline:
                    time.sleep(0.005)
            return got

    w = Worker(SlowToAnswer(), lambda job: Recorder(), now=Clock(LATER), limits={}, concurrency=2)  # type: ignore[arg-type]
    report = w.run(once=True)
    assert report.succeeded == 3 and store.counts()["todo"] == 0


def test_rate_limits_hold_under_concurrency(store: SqliteStore) -> None:
    queue(store, drafts(accounts=3, each=4))
    adapter = Recorder()
    report = worker(store, adapter, concurrency=8, limits={"a1": Limit(2, timedelta(hours=1))}).run(once=True)
    assert adapter.calls["a1"] == 2 and adapter.calls["a0"] == adapter.calls["a2"] == 4
    assert report.succeeded == 10 and store.counts()["todo"] == 2


def test_concurrency_one_is_one_at_a_time(store: SqliteStore) -> None:
    queue(store, drafts(accounts=4, each=2))
    adapter = Recorder(hold=0.02)
    report = worker(store, adapter, concurrency=1).run(once=True)
    assert report.succeeded == 8 and adapter.most == 1
    with pytest.raises(QueueError, match="at least one"):
        worker(store, adapter, concurrency=0)


# --- a 429 holds back that account only ----------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_429_holds_back_that_account_only(store: SqliteStore, concurrency: int) -> None:
    queue(store, drafts(accounts=3, each=4))
    adapter = Recorder(hold=0.01, answers={"a1": [RateLimitedError("429 too many requests", retry_after=600)]})
    clock = Clock(LATER)
    w = worker(store, adapter, clock, concurrency=concurrency)
    report = w.run(once=True, sleep=clock.sleep)
    assert adapter.calls["a1"] == 1  # its other posts wait out the retry-after; no hammering
    assert len(adapter.sent["a0"]) == len(adapter.sent["a2"]) == 4  # the others all went
    assert report.retried == 1 and "a1" in report.deferred and "rate limited" in report.deferred["a1"]
    limited = [j for j in store.jobs() if j.account == "a1"]
    assert [j.status for j in limited] == ["todo"] * 4
    assert [j.run_at for j in limited if j.attempts] == [LATER + timedelta(seconds=600)]
    clock.t = LATER + timedelta(seconds=601)  # the retry-after is over: the account goes on, in order
    report = w.run(once=True, sleep=clock.sleep)
    # the refused post was queued again at its retry time: the account's later posts went first
    assert report.succeeded == 4 and [t for t, _ in adapter.sent["a1"]] == [f"a1 post {i}" for i in (1, 2, 3, 0)]
    assert not report.deferred


class Keyed:
    """The shared Recorder seen through one account's adapter, with the API key it posts with."""

    def __init__(self, recorder: Recorder, scope: str) -> None:
        self.recorder, self.rate_scope = recorder, scope

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        return self.recorder.publish(draft, key=key, reply_to=reply_to)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_429_of_an_api_key_holds_back_every_account_of_that_key_only(store: SqliteStore,
                                                                       concurrency: int) -> None:
    """a0 and a1 post with one API key, a2 with another: the key's 24-hour cap, hit by a0, holds
    a1 too (before it sends anything), and a2 goes on."""
    queue(store, drafts(accounts=3, each=3))
    rec = Recorder(answers={"a0": [RateLimitedError("429 app cap", retry_after=600, scope="key-1")]})
    scopes = {"a0": "key-1", "a1": "key-1", "a2": "key-2"}
    clock = Clock(LATER)
    w = Worker(store, lambda job: Keyed(rec, scopes[job.account]), now=clock, limits={}, concurrency=concurrency)
    report = w.run(once=True, sleep=clock.sleep)
    assert rec.calls["a0"] == 1 and len(rec.sent["a2"]) == 3
    assert rec.calls["a1"] <= (1 if concurrency > 1 else 0)  # one may have been in flight already
    assert "a1" in report.deferred and "shared" in report.deferred["a1"]
    assert all(j.status == "todo" for j in store.jobs() if j.account == "a1" and j.attempts == 0)
    clock.t = LATER + timedelta(seconds=601)  # the cap is over: both accounts of the key go on
    w.run(once=True, sleep=clock.sleep)
    assert len(rec.sent["a0"]) == len(rec.sent["a1"]) == 3


def test_a_slow_429_does_not_hold_up_the_other_accounts(store: SqliteStore) -> None:
    queue(store, drafts(accounts=4, each=3))
    adapter = Recorder(hold=0.02, slow={"a0": 1.5}, answers={"a0": [RateLimitedError("429", retry_after=3600)]})
    answered: list[float] = []
    w = worker(store, adapter, concurrency=4,
               on_event=lambda kind, job, detail: answered.append(time.monotonic()) if kind == "retry" else None)
    report = w.run(once=True)
    assert report.succeeded == 9 and report.retried == 1 and adapter.calls["a0"] == 1
    # every other account's three posts went out while a0's platform was still making up its mind
    assert max(adapter.done_at[a] for a in ("a1", "a2", "a3")) < answered[0]


def test_a_worker_that_keeps_running_sleeps_while_an_account_cools_down(store: SqliteStore) -> None:
    queue(store, drafts(accounts=1, each=3))
    adapter = Recorder(answers={"a0": [RateLimitedError("429", retry_after=120)]})
    clock = Clock(LATER)
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        clock.sleep(seconds)

    w = worker(store, adapter, clock, concurrency=2)
    w.run(max_jobs=4, sleep=sleep, poll=timedelta(seconds=30))
    assert adapter.calls["a0"] == 4 and len(adapter.sent["a0"]) == 3
    assert naps and min(naps) >= 1  # it slept, it did not spin on the account's due posts
    assert clock.t >= LATER + timedelta(seconds=120)


# --- stopping and crash safety -------------------------------------------------------------


def test_sigterm_finishes_the_posts_in_flight_and_releases_the_claimed_rest(store: SqliteStore) -> None:
    queue(store, drafts(accounts=6, each=2))
    adapter = Recorder(meet=4, hold=0.3, on_met=lambda: os.kill(os.getpid(), signal.SIGTERM))
    events: list[tuple[str, int]] = []
    before = signal.getsignal(signal.SIGTERM)
    report = run(store, lambda job: adapter, now=Clock(LATER), once=True, limits={}, concurrency=4,
                 on_event=lambda kind, job, detail: events.append((kind, job.id)))
    # four calls in flight when the signal came: all four finished and were recorded
    assert report.stopped and report.succeeded == 4 and sum(adapter.calls.values()) == 4
    counts = store.counts()
    assert counts["doing"] == 0 and counts["succeeded"] == 4 and counts["todo"] == 8
    released = [job_id for kind, job_id in events if kind == "released"]
    assert len(released) == report.released <= 1  # a claim taken as the signal came, never sent
    assert all(store.get(i).attempts == 0 for i in released)
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back


def test_a_claim_taken_as_the_signal_arrives_is_given_back_unsent(store: SqliteStore) -> None:
    queue(store, drafts(accounts=3, each=1))
    adapter = Recorder()
    w = worker(store, adapter, concurrency=3)
    claim = w._claim()
    assert claim is not None and len(w.inflight) == 1
    w.stop.set()
    w._run_claim(claim)
    assert len(w.inflight) == 0 and w.report.released == 1 and adapter.calls == {}
    assert store.get(claim.job.id).status == "todo" and store.get(claim.job.id).attempts == 0


def test_the_heartbeat_renews_every_lease_in_flight(tmp_path: Path) -> None:
    t = [LATER]
    store = SqliteStore(tmp_path / "q.sqlite3", clock=lambda: t[0])
    queue(store, drafts(accounts=3, each=1))
    inflight = InFlight(3)
    lease = timedelta(seconds=30)
    for _ in range(3):
        c = store.claim("w", now=LATER, lease=lease, busy=inflight.accounts())
        assert c is not None
        inflight.add(c)
    t[0] = LATER + timedelta(seconds=20)
    assert Heartbeat(store, inflight, lease).beat() == 3
    assert {j.locked_until for j in store.jobs(status="doing")} == {LATER + timedelta(seconds=50)}
    t[0] = LATER + timedelta(seconds=45)
    assert store.claim("other", now=t[0], lease=lease) is None  # without the beat, all three were free
    store.close()


def test_leases_stay_alive_while_slow_posts_are_in_flight(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    queue(store, drafts(accounts=3, each=1))
    adapter = Recorder(meet=3, hold=4.0)  # longer than the lease: only the heartbeat keeps them
    seen: list[Any] = []

    def other_worker() -> None:
        adapter.met.wait(10)
        time.sleep(3.5)  # past the first lease's end (3 s after the fence)
        other = SqliteStore(db)
        seen.append(other.claim("other", now=LATER))
        other.close()

    t = threading.Thread(target=other_worker)
    t.start()
    report = worker(store, adapter, concurrency=3, lease=timedelta(seconds=3)).run(once=True)
    t.join()
    assert seen == [None] and report.succeeded == 3 and report.lost == 0


def test_an_error_of_the_store_in_a_thread_is_raised_once_the_others_are_done(store: SqliteStore) -> None:
    queue(store, drafts(accounts=3, each=1))

    class Broken:
        def __init__(self, inner: SqliteStore) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def succeed(self, job_id: int, *args: Any, **kw: Any) -> Job:
            if self.inner.get(job_id).account == "a1":
                raise QueueError("the queue database is busy or unwritable: disk I/O error")
            return self.inner.succeed(job_id, *args, **kw)

    adapter = Recorder(meet=3)
    w = Worker(Broken(store), lambda job: adapter, now=Clock(LATER), limits={}, concurrency=3)  # type: ignore[arg-type]
    with pytest.raises(QueueError, match="disk I/O"):
        w.run(once=True)
    assert store.counts()["succeeded"] == 2 and len(w.inflight) == 0


def test_transient_errors_under_concurrency_are_retried_in_order(store: SqliteStore) -> None:
    queue(store, drafts(accounts=3, each=3))
    adapter = Recorder(answers={"a2": [TransientError("503")]})
    clock = Clock(LATER)
    w = worker(store, adapter, clock, concurrency=3)
    report = w.run(once=True)
    assert report.retried == 1 and len(adapter.sent["a2"]) == 2  # its later posts went meanwhile
    clock.t = LATER + timedelta(hours=1)
    assert w.run(once=True).succeeded == 1 and store.counts()["succeeded"] == 9


# --- the command ---------------------------------------------------------------------------


def _outbox_campaign(tmp_path: Path, accounts: int = 4, each: int = 3) -> Path:
    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    out = tmp_path / "outbox"
    queue(store, drafts(accounts=accounts, each=each),
          accounts={f"a{k}": {"platform": "outbox", "path": str(out)} for k in range(accounts)})
    store.close()
    return db


def test_run_concurrency_sends_everything_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_OUTBOX_FAIL", "delay:0.2")
    db = _outbox_campaign(tmp_path, accounts=6, each=2)
    started = time.monotonic()
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(db), "--concurrency", "6"], catch_exceptions=False)
    took = time.monotonic() - started
    assert r.exit_code == 0, r.output
    assert "sent 12, found already posted 0, to retry 0, failed 0" in r.output
    assert len(list((tmp_path / "outbox").glob("*/*.json"))) == 12
    assert took < 12 * 0.2  # serial would take 2.4 s of calls alone
    db2 = _outbox_campaign(tmp_path / "again", accounts=3, each=2)
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(db2), "--json"], catch_exceptions=False)
    summary = json.loads(r.output)
    assert summary["sent"] == 6 and summary["most_in_flight"] == 3  # the default: every account at once


def test_run_once_exits_1_when_a_post_failed_under_concurrency(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_OUTBOX_FAIL", "permanent:1")
    db = _outbox_campaign(tmp_path, accounts=3, each=1)
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(db), "--concurrency", "3"])
    assert r.exit_code == 1 and "failed 3" in r.output


@pytest.mark.parametrize("value", ["0", "-2", "257", "many"])
def test_run_refuses_a_bad_concurrency(tmp_path: Path, value: str) -> None:
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(tmp_path / "q.sqlite3"), "--concurrency", value])
    assert r.exit_code == 2 and "--concurrency" in r.output and "Traceback" not in r.output


def test_the_command_default_is_the_library_default() -> None:
    from campaign.cli import run as run_cli

    assert run_cli.DEFAULT_CONCURRENCY == DEFAULT_CONCURRENCY


def test_inflight_refuses_no_room() -> None:
    with pytest.raises(ValueError):
        InFlight(0)


def test_holds_cool_down_and_end_when_the_platform_answers() -> None:
    from campaign.publish.holds import Holds

    limits: dict[str, Limit] = {"a": Limit(5, timedelta(hours=1))}
    holds = Holds(limits, unreachable_after=2, defer_for=timedelta(minutes=10))
    holds.rate_limited("b", until=LATER + timedelta(minutes=5))
    holds.rate_limited("b", until=LATER + timedelta(minutes=1))  # an earlier end does not shorten it
    assert holds.cooling(LATER) == {"b"} and holds.cooling_ends() == LATER + timedelta(minutes=5)
    assert holds.cooling(LATER + timedelta(minutes=5)) == set() and holds.cooling_ends() is None
    timeout = TransientError("no answer", unreachable=True)
    assert holds.unanswered("a", timeout) is None
    assert "2 timeouts" in (holds.unanswered("a", timeout) or "")
    assert holds.snapshot()["a"] == Limit(1, timedelta(minutes=10))  # deferred: one probe per 10 minutes
    assert holds.answered("a") and limits["a"] == Limit(5, timedelta(hours=1))  # its own limit is back
    assert not holds.answered("a")
