"""Exactly once at the edges (issue 14, section 1), with the real tweepy client against FakeX:
a post whose answer was lost stays uncertain through failure and `retry --failed` and is looked
for before anything is sent again; a worker paused past its lease or whose clock runs ahead
never sends a post another worker holds; leases too short are refused; X's `find` reads every
post since the attempt, not the latest page; `queue` refuses a throw-away database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign import tid
from campaign.cli import cli
from campaign.errors import QueueError, TransientError
from campaign.models import Job
from campaign.publish.adapters.base import AdapterContext
from campaign.publish.adapters.x import XAdapter
from campaign.publish.retry import RetryPolicy
from campaign.publish.worker import Worker, adapters_from_store
from campaign.publish.worker import run as run_worker
from campaign.queue.sqlite import SqliteStore
from tests.fakes.x import FakeX
from tests.helpers import make_draft, queue

KEYS = {
    "api_key": "ckOnceKey7Hq2Zw",
    "api_secret": "csOnceSecret4Vb8Nm1Kx",
    "access_token": "1402938475610001-OnceTok3Pd",
    "access_token_secret": "atsOnceSecret9Lr6Yt2Gh",
}
TEXT = "We stand with the Afghan resistance, today and every day."
LEASE = timedelta(seconds=3)


@pytest.fixture
def srv(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeX]:
    for field, value in KEYS.items():
        monkeypatch.setenv(f"CAMPAIGN_NRF_X_{field.upper()}", value)
    with FakeX(keys=KEYS) as s:
        yield s


def x_store(path: Path, srv: FakeX, text: str = TEXT) -> SqliteStore:
    store = SqliteStore(path)
    queue(store, [make_draft("h1", account="nrf_x", platform="x", parts=(text,))],
          accounts={"nrf_x": {"platform": "x", "settings": {"api_base": srv.url}}})
    return store


def posts_sent(srv: FakeX) -> int:
    return len(srv.received("POST", "/2/tweets"))


# --- uncertain through failure, retry, cancel, re-queue -----------------------------------------


def test_retry_failed_looks_for_a_post_that_may_have_landed_before_sending(srv: FakeX, tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store = x_store(db, srv)
    srv.drop_after_posting("Afghan resistance")  # the post lands; its answer is lost
    state = tmp_path / "state"
    report = run_worker(store, adapters_from_store(store, state_dir=state), once=True,
                        policy=RetryPolicy(max_attempts=1), handle_signals=False, limits={})
    job = store.jobs()[0]
    assert report.failed == 1 and job.status == "failed"

    r = CliRunner().invoke(cli, ["retry", "--failed", "--db", str(db)], catch_exceptions=False)
    assert r.exit_code == 0 and "queued 1 failed job(s) again" in r.output

    report = run_worker(store, adapters_from_store(store, state_dir=state), once=True, handle_signals=False,
                        limits={})
    assert posts_sent(srv) == 1 and len(srv.by_text(TEXT)) == 1  # never sent again
    done = store.get(job.id)
    assert report.reconciled == 1 and report.succeeded == 0
    assert done.status == "succeeded" and done.remote_id == srv.by_text(TEXT)[0].id
    assert "looks for it" in (job.last_error or "")
    details = [(e.kind, e.detail or "") for e in store.events(job.id)]
    assert [k for k, _ in details] == ["queued", "started", "failed", "requeued", "started", "succeeded"]
    assert "may have landed" in details[2][1] and "may have landed" in details[3][1]  # through the retry
    assert details[4][1] == "reconciling: an earlier attempt may have landed"
    timeline = srv.received("GET", r"/2/users/\d+/tweets")
    assert timeline and all("start_time" in q.query for q in timeline)


# --- the lease fence --------------------------------------------------------------------------


def _paused_factory(store: SqliteStore, state: Path, seconds: float, paused: threading.Event):
    """An adapter factory that stalls first: the worker is paused (SIGSTOP, a suspended laptop)
    after its claim and before the platform call."""
    inner = adapters_from_store(store, state_dir=state)

    def factory(job: Job):  # type: ignore[no-untyped-def]
        paused.set()
        time.sleep(seconds)
        return inner(job)

    return factory


def test_a_worker_paused_past_its_lease_never_sends(srv: FakeX, tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store_a, store_b = x_store(db, srv), SqliteStore(db)  # two workers, two connections
    paused = threading.Event()
    a = Worker(store_a, _paused_factory(store_a, tmp_path / "a", LEASE.total_seconds() + 1.0, paused),
               lease=LEASE, limits={}, owner="worker-a")
    b = Worker(store_b, adapters_from_store(store_b, state_dir=tmp_path / "b"), lease=LEASE, limits={},
               owner="worker-b")
    ta = threading.Thread(target=a.step)
    ta.start()
    assert paused.wait(5)
    time.sleep(LEASE.total_seconds() + 0.3)  # A's lease ran out, by the database's clock
    assert b.step()  # B takes the job over: uncertain, find sees nothing, B sends
    ta.join(10)
    assert b.report.succeeded == 1 and a.report.lost == 1 and a.report.succeeded == 0
    assert posts_sent(srv) == 1 and len(srv.by_text(TEXT)) == 1
    assert store_b.get(1).remote_id == srv.by_text(TEXT)[0].id
    store_b.close()


def test_a_worker_whose_clock_runs_ahead_cannot_take_a_live_lease(srv: FakeX, tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store_a, store_b = x_store(db, srv), SqliteStore(db)
    paused = threading.Event()
    a = Worker(store_a, _paused_factory(store_a, tmp_path / "a", 1.0, paused), lease=LEASE, limits={},
               owner="worker-a")
    ahead = Worker(store_b, adapters_from_store(store_b, state_dir=tmp_path / "b"), lease=LEASE, limits={},
                   owner="worker-ahead", now=lambda: datetime.now(UTC) + timedelta(minutes=10))
    ta = threading.Thread(target=a.step)
    ta.start()
    assert paused.wait(5)
    assert not ahead.step()  # A's lease is live by the database's clock: nothing to take
    ta.join(10)
    assert a.report.succeeded == 1 and ahead.report.handled == 0
    assert posts_sent(srv) == 1
    store_b.close()


def test_a_worker_process_stopped_past_its_lease_never_sends(srv: FakeX, tmp_path: Path) -> None:
    """Two real `campaign run` processes; the first is SIGSTOPped while it looks for an earlier
    attempt (before its platform call) longer than its lease, the second takes the job over and
    sends, and the first, continued, sends nothing."""
    db = tmp_path / "q.sqlite3"
    store = x_store(db, srv)
    ghost = store.claim("ghost", now=datetime.now(UTC))  # an earlier attempt whose answer was lost
    assert ghost is not None
    store.retry_later(ghost.job.id, "ghost", run_at=datetime.now(UTC) - timedelta(minutes=1),
                      error="connection lost before X answered", now=datetime.now(UTC), uncertain=True)
    env = {**os.environ, "CAMPAIGN_SECRETS": str(tmp_path / "secrets.json")}
    cmd = [sys.executable, "-m", "campaign", "run", "--once", "--lease", "3s", "--db", str(db)]
    srv.delay_next(r"GET /2/users/\d+/tweets", 1.0)  # A's look at the timeline is slow ...
    a = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while not srv.received("GET", r"/2/users/\d+/tweets") and time.monotonic() < deadline:
            time.sleep(0.01)
        a.send_signal(signal.SIGSTOP)  # ... and A is stopped in the middle of it
        assert srv.received("GET", r"/2/users/\d+/tweets"), "worker A never looked"
        time.sleep(4)  # past A's 3 s lease, by the database's clock
        b = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert b.returncode == 0, b.stdout + b.stderr
        assert posts_sent(srv) == 1, b.stdout
    finally:
        a.send_signal(signal.SIGCONT)
        out = a.communicate(timeout=30)[0].decode()
    assert posts_sent(srv) == 1 and len(srv.by_text(TEXT)) == 1, out
    assert "lost" in out and a.returncode == 0, out
    job = store.get(ghost.job.id)
    assert job.status == "succeeded" and job.remote_id == srv.by_text(TEXT)[0].id
    store.close()


def test_leases_shorter_than_the_minimum_are_refused(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["run", "--once", "--lease", "0s", "--db", str(tmp_path / "q.sqlite3")])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --lease 0s: too short; give at least 3s")
    assert not (tmp_path / "q.sqlite3").exists()  # refused before anything was opened
    with pytest.raises(QueueError, match="too short"):
        Worker(SqliteStore(tmp_path / "w.sqlite3"), lambda job: None, lease=timedelta(seconds=1))  # type: ignore[arg-type, return-value]


# --- X's find reads the whole window since the attempt ----------------------------------------


def x_adapter(srv: FakeX, tmp_path: Path) -> XAdapter:
    return XAdapter(AdapterContext(account="nrf_x", platform="x", settings={"api_base": srv.url},
                                   state_dir=tmp_path, base_dir=tmp_path, timeout=5.0))


def test_find_pages_through_every_post_since_the_attempt(srv: FakeX, tmp_path: Path) -> None:
    a = x_adapter(srv, tmp_path)
    draft = make_draft("h1", account="nrf_x", platform="x", parts=(TEXT,))
    key = tid.mint(datetime.now(UTC))
    since = datetime.now(UTC) - timedelta(minutes=15)
    srv.drop_after_posting("Afghan resistance")
    with pytest.raises(TransientError):
        a.publish(draft, key=key, reply_to=None)
    srv.add_posts([f"Later post number {i} on the same account." for i in range(250)])
    ref = a.find(draft, key=key)  # without `since`: from the time in the job's key
    assert ref is not None and ref.id == srv.by_text(TEXT)[0].id
    pages = srv.received("GET", r"/2/users/\d+/tweets")
    assert len(pages) == 3 and "pagination_token" in pages[-1].query and "start_time" in pages[0].query
    assert a.find(draft, key=key, since=since) == ref


def test_find_ignores_the_same_text_posted_before_the_attempt(srv: FakeX, tmp_path: Path) -> None:
    srv.add_posts([TEXT], at=time.time() - 3 * 86400)  # posted by hand three days ago
    a = x_adapter(srv, tmp_path)
    draft = make_draft("h1", account="nrf_x", platform="x", parts=(TEXT,))
    assert a.find(draft, key=tid.mint(datetime.now(UTC)), since=datetime.now(UTC) - timedelta(minutes=15)) is None


# --- a throw-away queue is refused -----------------------------------------------------------


@pytest.mark.parametrize("db", [":memory:", "", "   ", "file::memory:", "file:q?mode=memory&cache=shared"])
def test_queue_refuses_a_throwaway_database(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "c.yaml"
    config.write_text("campaign: {name: x}\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["queue", str(config), "--db", db])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --db") and ("in-memory" in lines[0] or "empty" in lines[0])
    assert list(tmp_path.iterdir()) == [config]


def test_queue_refuses_a_throwaway_database_from_the_environment(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_DB", ":memory:")
    config = tmp_path / "c.yaml"
    config.write_text("campaign: {name: x}\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["queue", str(config)])
    assert r.exit_code == 2 and r.output.startswith("error: CAMPAIGN_DB ':memory:' is an in-memory database")
