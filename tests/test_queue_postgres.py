"""The PostgreSQL store's own behaviour, on a real server (tests/pg): what the contract suite
(tests/test_store_contract.py, which runs on it too) cannot show with one store alone.

Opening by URL and its errors, media that travel in the database to a worker on another
machine, migrations under concurrent opens, the append-only trigger, rate limits shared
by concurrent claimers, and LISTEN/NOTIFY wake-ups.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from campaign.errors import QueueError
from campaign.models import Draft, MediaRef, PlannedPost, RemoteRef
from campaign.queue import CampaignRecord, Limit, enqueue_plan, open_store
from campaign.queue.media import Sleeps, local_media
from campaign.queue.sqlite import SqliteStore
from tests import pg

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def schema() -> Iterator[str]:
    """A fresh schema name on the test server, dropped afterwards."""
    pg.require()
    name = pg.new_schema_name()
    yield name
    pg.drop_schema(name)


def store_at(schema: str, cache: Path, **kw: Any) -> Any:
    from campaign.queue.postgres import PostgresStore

    return PostgresStore(pg.DSN, schema=schema, media_dir=cache, pool_size=4, **kw)


def record(accounts: dict[str, Any] | None = None) -> CampaignRecord:
    return CampaignRecord("camp", "Camp", "UTC", "en", ".", None,
                          accounts or {"acct": {"platform": "outbox"}}, T0)


def draft(hid: str, media: tuple[MediaRef, ...] = (), account: str = "acct") -> Draft:
    return Draft(hid, account, "outbox", (f"post {hid}",), (7,), 500, media=media)


def plan(*drafts: Draft, at: datetime = T0) -> list[PlannedPost]:
    return [PlannedPost(d, 0, at, "UTC") for d in drafts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- selecting the store, and its errors ---------------------------------------------------


def test_open_store_takes_a_postgres_url_from_db_or_campaign_db(schema: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.queue.postgres import PostgresStore

    s = open_store(pg.url(schema))
    assert isinstance(s, PostgresStore) and s.schema == schema and s.schema_version() >= 1
    s.close()
    monkeypatch.setenv("CAMPAIGN_DB", pg.url(schema).replace("postgresql://", "postgres://"))
    s = open_store()
    assert isinstance(s, PostgresStore) and s.counts()["todo"] == 0
    s.close()
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    s = open_store()
    assert isinstance(s, SqliteStore)  # a path stays SQLite, the default
    s.close()


@pytest.mark.parametrize("url, message", [
    ("postgresql://bob:Hunter2secret@127.0.0.1:{port}/campaign",
     "cannot reach the PostgreSQL queue at 127.0.0.1:{port}/campaign: Connection refused"),
    ("postgresql://bob:Hunter2 secret@127.0.0.1:5432/campaign", "bad PostgreSQL URL for 127.0.0.1:5432/campaign"),
    ("postgresql://bob:Hunter2secret@127.0.0.1:notaport/campaign", "127.0.0.1:notaport/campaign"),
])
def test_a_bad_url_or_an_unreachable_server_is_one_line_naming_host_and_port(url: str, message: str) -> None:
    port = free_port()
    with pytest.raises(QueueError) as e:
        open_store(url.format(port=port))
    text = str(e.value)
    assert message.format(port=port) in text and "\n" not in text
    assert "Hunter2" not in text and "secret" not in text


def test_the_cli_says_so_in_one_line_without_the_password() -> None:
    from campaign.cli import cli

    url = f"postgresql://organizer:Sup3rSecretPw@127.0.0.1:{free_port()}/campaign"
    result = CliRunner().invoke(cli, ["jobs", "--db", url])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot reach the PostgreSQL queue at 127.0.0.1:")
    assert "Sup3rSecretPw" not in result.output


def test_a_wrong_role_is_named_not_its_password(schema: str) -> None:
    base = pg.DSN.split("@", 1)[1]
    with pytest.raises(QueueError, match='role "no_such_role_x" does not exist') as e:
        open_store(f"postgresql://no_such_role_x:Pw12345678@{base}")
    assert "Pw12345678" not in str(e.value)


# --- migrations ----------------------------------------------------------------------------


def test_migrations_apply_once_when_many_processes_open_at_once(schema: str) -> None:
    code = ("import sys; from campaign.queue import open_store; s = open_store(sys.argv[1]); "
            "print(s.schema_version()); s.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, pg.url(schema)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(6)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err.decode()[-500:] for _, err in outs]
    from campaign.queue.postgres_schema import SCHEMA_VERSION

    assert {out.strip() for out, _ in outs} == {str(SCHEMA_VERSION).encode()}
    import psycopg

    with psycopg.connect(pg.DSN) as conn:
        versions = conn.execute(f'SELECT version FROM "{schema}".campaign_schema ORDER BY version').fetchall()
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))


def test_a_queue_written_by_a_newer_campaign_is_refused(schema: str, tmp_path: Path) -> None:
    store_at(schema, tmp_path).close()
    import psycopg

    with psycopg.connect(pg.DSN, autocommit=True) as conn:
        conn.execute(f'INSERT INTO "{schema}".campaign_schema (version) VALUES (999)')
    with pytest.raises(QueueError, match="newer campaign .schema 999"):
        store_at(schema, tmp_path)


# --- the history is append-only -------------------------------------------------------------


def test_job_events_refuse_update_delete_and_truncate(schema: str, tmp_path: Path) -> None:
    import psycopg

    s = store_at(schema, tmp_path)
    enqueue_plan(s, record(), plan(draft("h1")), now=T0)
    s.close()
    with psycopg.connect(pg.DSN, autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        for sql in ("UPDATE job_events SET detail = 'x'", "DELETE FROM job_events", "TRUNCATE job_events CASCADE"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM job_events").fetchone() == (1,)


# --- media travel in the database ----------------------------------------------------------


def test_media_are_kept_once_by_content_and_reach_a_worker_on_another_machine(schema: str, tmp_path: Path) -> None:
    from campaign.publish.worker import run

    card, other = tmp_path / "build" / "card.PNG", tmp_path / "build" / "copy.png"
    card.parent.mkdir()
    card.write_bytes(b"\x89PNG card bytes")
    other.write_bytes(b"\x89PNG card bytes")  # the same image under another name
    organizer = store_at(schema, tmp_path / "organizer-cache")
    out = tmp_path / "outbox"
    rec = record({"acct": {"platform": "outbox", "path": str(out)}})
    enqueue_plan(organizer, rec, plan(draft("h1", (MediaRef(str(card), "a card"),)),
                                      draft("h2", (MediaRef(str(other), "same card"),))), now=T0)
    refs = {j.draft.media[0].path for j in organizer.jobs()}
    assert len(refs) == 1 and next(iter(refs)).startswith("sha256:") and next(iter(refs)).endswith(".png")
    organizer.close()
    card.unlink()
    other.unlink()  # the build folder is gone: the worker elsewhere has only the database
    import psycopg

    with psycopg.connect(pg.DSN) as conn:
        assert conn.execute(f'SELECT count(*), sum(size) FROM "{schema}".media').fetchone() == (1, 15)
    worker = store_at(schema, tmp_path / "worker-cache")
    report = run(worker, now=lambda: T0 + timedelta(minutes=1), once=True, handle_signals=False)
    assert report.succeeded == 2
    posts = [json.loads(p.read_text()) for p in sorted((out / "acct").glob("*.json"))]
    assert [p["media"][0]["alt"] for p in posts] == ["a card", "same card"]
    assert {(out / "acct" / p["media"][0]["file"]).read_bytes() for p in posts} == {b"\x89PNG card bytes"}
    assert list((tmp_path / "worker-cache").iterdir())[0].read_bytes() == b"\x89PNG card bytes"
    worker.close()


def test_media_file_checks_its_cache_and_refuses_an_unknown_key(schema: str, tmp_path: Path) -> None:
    s = store_at(schema, tmp_path / "cache")
    key = s.put_media(b"GIF89a tiny", ".GIF")
    assert key == s.put_media(b"GIF89a tiny", ".gif") and key.endswith(".gif")
    path = s.media_file(key)
    assert path.read_bytes() == b"GIF89a tiny" and path.parent == tmp_path / "cache"
    path.write_bytes(b"tampered")
    assert s.media_file(key).read_bytes() == b"GIF89a tiny"  # a damaged cache file is fetched again
    with pytest.raises(QueueError, match="has no media sha256:0000"):
        s.media_file("sha256:" + "0" * 64 + ".png")
    assert s.media_file("/some/file.png") == Path("/some/file.png")  # a path queued before is a path
    d = local_media(s, draft("h1", (MediaRef(key, "alt"),)))
    assert d.media[0].path == str(path) and d.media[0].alt == "alt"
    s.close()


# --- rate limits across workers --------------------------------------------------------------


def test_a_rate_limit_holds_when_many_workers_claim_at_once(schema: str, tmp_path: Path) -> None:
    s = store_at(schema, tmp_path, clock=None)
    enqueue_plan(s, record(), plan(*(draft(f"h{i}") for i in range(12)),
                                   draft("b1", account="b"), draft("b2", account="b")), now=T0)
    s.close()
    stores = [store_at(schema, tmp_path) for _ in range(6)]
    limits = {"acct": Limit(3, timedelta(hours=1))}
    got: list[str] = []
    barrier = threading.Barrier(len(stores))

    def worker(store: Any, name: str) -> None:
        barrier.wait()
        while (c := store.claim(name, now=T0 + timedelta(minutes=5), limits=limits)) is not None:
            got.append(c.job.account)

    threads = [threading.Thread(target=worker, args=(st, f"w{i}")) for i, st in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for st in stores:
        st.close()
    assert sorted(got) == ["acct"] * 3 + ["b", "b"]  # three starts of acct in the hour, whoever claimed


# --- waking idle workers ---------------------------------------------------------------------


def test_wait_wakes_when_another_process_queues_a_job(schema: str, tmp_path: Path) -> None:
    idle = store_at(schema, tmp_path)
    assert idle.wait(5) is True  # the first call starts listening and says: look again
    t = time.monotonic()
    assert idle.wait(0.3) is False and time.monotonic() - t >= 0.25  # nothing happened
    code = ("import sys, datetime as d; from campaign.queue import open_store, CampaignRecord, enqueue_plan; "
            "from campaign.models import Draft, PlannedPost; s = open_store(sys.argv[1]); "
            "t = d.datetime(2026, 3, 2, 8, tzinfo=d.UTC); "
            "r = CampaignRecord('camp', 'C', 'UTC', 'en', '.', None, {}, t); "
            "enqueue_plan(s, r, [PlannedPost(Draft('h', 'a', 'outbox', ('x',), (1,), 9), 0, t, 'UTC')], now=t)")
    proc = subprocess.Popen([sys.executable, "-c", code, pg.url(schema)], env=dict(os.environ))
    t = time.monotonic()
    woke = idle.wait(60)
    assert proc.wait(60) == 0
    assert woke is True and time.monotonic() - t < 30  # woken by the NOTIFY, not the timeout
    assert idle.wait(0.2) is False  # one wake for one change
    stop = threading.Event()
    stop.set()
    t = time.monotonic()
    assert idle.wait(30, stop=stop) is False and time.monotonic() - t < 1  # stopping ends the wait
    c = idle.claim("w", now=T0)
    assert c is not None
    idle.retry_later(c.job.id, "w", run_at=T0, error="503", now=T0, uncertain=False)
    assert idle.wait(5) is True  # a job back in the queue wakes the idle too
    idle.close()


def test_stores_without_notifications_just_sleep(tmp_path: Path) -> None:
    s = SqliteStore(tmp_path / "q.sqlite3")
    t = time.monotonic()
    assert s.wait(0.2) is False and time.monotonic() - t >= 0.19
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    t = time.monotonic()
    assert s.wait(30, stop=stop) is False and time.monotonic() - t < 5
    assert isinstance(s, Sleeps)
    s.close()


# --- a row the worker cannot read ------------------------------------------------------------


def test_an_unreadable_job_fails_alone_and_the_next_one_is_claimed(schema: str, tmp_path: Path) -> None:
    import psycopg

    s = store_at(schema, tmp_path)
    enqueue_plan(s, record(), plan(draft("h1"), draft("h2")), now=T0)
    first, second = s.jobs()
    with psycopg.connect(pg.DSN, autocommit=True) as conn:
        conn.execute(f'UPDATE "{schema}".jobs SET draft = %s WHERE id = %s', ["{not json", first.id])
    assert s.get(first.id).draft.text == "(unreadable draft)"  # listings still show it
    c = s.claim("w", now=T0)
    assert c is not None and c.job.id == second.id
    failed = s.get(first.id)
    assert failed.status == "failed" and (failed.last_error or "").startswith("unreadable job in the queue: ")
    assert [e.kind for e in s.events(first.id)][-1] == "failed"
    s.close()


def test_the_store_names_its_queue_without_the_password(schema: str) -> None:
    base = pg.DSN.split("@", 1)[1]
    user = pg.DSN.split("://", 1)[1].split("@", 1)[0]
    s = open_store(f"postgresql://{user}:NotShown123@{base}?schema={schema}")
    assert str(s) == f"postgresql://{base.split('?')[0]}?schema={schema}" and "NotShown123" not in str(s)
    s.close()


def test_an_approval_and_a_reschedule_wake_an_idle_worker(schema: str, tmp_path: Path) -> None:
    from dataclasses import replace

    organizer, idle = store_at(schema, tmp_path), store_at(schema, tmp_path)
    enqueue_plan(organizer, replace(record(), review="required"), plan(draft("h1")), now=T0)
    assert idle.wait(5) is True  # starts listening
    assert idle.claim("w", now=T0) is None  # waiting for review
    job = organizer.jobs()[0]
    organizer.approve(job.id, "amina", now=T0)
    assert idle.wait(30) is True
    organizer.reschedule(job.id, at=T0 + timedelta(hours=1), now=T0)
    assert idle.wait(30) is True
    assert idle.wait(0.2) is False
    organizer.close()
    idle.close()


def test_an_idle_worker_wakes_on_an_approval_not_at_its_next_poll(schema: str, tmp_path: Path) -> None:
    """`campaign run` polling every 10 minutes still sends an approved post within seconds."""
    from dataclasses import replace

    from campaign.publish.worker import Worker

    organizer, queue = store_at(schema, tmp_path), store_at(schema, tmp_path)
    enqueue_plan(organizer, replace(record(), review="required"), plan(draft("h1")), now=T0)
    sent: list[str] = []

    class Adapter:
        def publish(self, d: Any, *, key: str, reply_to: Any) -> RemoteRef:
            sent.append(d.text)
            return RemoteRef("1", "https://example.org/1")

    worker = Worker(queue, lambda job: Adapter(), now=lambda: T0 + timedelta(minutes=1), limits={})
    runner = threading.Thread(target=worker.run, kwargs={"poll": timedelta(minutes=10)}, daemon=True)
    runner.start()
    time.sleep(1.0)  # idle by now: nothing approved
    assert sent == []
    organizer.approve(organizer.jobs()[0].id, "amina", now=T0)
    t = time.monotonic()
    while not sent and time.monotonic() - t < 30:
        time.sleep(0.05)
    worker.stop.set()
    runner.join(30)
    assert sent and time.monotonic() - t < 30  # woken by the NOTIFY, long before the 10-minute poll
    organizer.close()
    queue.close()


def test_the_pack_reads_approvals_from_a_postgres_queue(schema: str, tmp_path: Path) -> None:
    from dataclasses import replace

    from campaign.review.pack import approved_from_queue

    s = store_at(schema, tmp_path)
    enqueue_plan(s, replace(record(), review="required"), plan(draft("h1"), draft("h2")), now=T0)
    assert approved_from_queue(pg.url(schema), "camp") == set()
    s.approve(s.jobs()[0].id, "amina", now=T0)
    assert approved_from_queue(pg.url(schema), "camp") == {"h1"}
    s.close()


def test_wait_listens_again_after_losing_its_connection(schema: str, tmp_path: Path) -> None:
    import psycopg

    idle = store_at(schema, tmp_path)
    assert idle.wait(5) is True
    with psycopg.connect(pg.DSN, autocommit=True) as conn:
        killed = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE query LIKE 'LISTEN %%' AND query LIKE %s", [f"%{schema}%"]).fetchall()
    assert killed == [(True,)]
    t = time.monotonic()
    assert idle.wait(1) is False and time.monotonic() - t < 5  # the lost connection: a plain sleep
    assert idle.wait(5) is True  # listening again (look again: a change may have been missed)
    assert idle.counts()["todo"] == 0  # the pool was never affected
    idle.close()


def test_every_store_has_every_method_of_the_protocol_with_its_parameters() -> None:
    import inspect

    from campaign.queue.memory import MemoryStore
    from campaign.queue.postgres import PostgresStore
    from campaign.queue.store import Store

    for name in (n for n in dir(Store) if not n.startswith("_")):
        want = list(inspect.signature(getattr(Store, name)).parameters)
        for cls in (PostgresStore, SqliteStore, MemoryStore):
            assert hasattr(cls, name), f"{cls.__name__} lacks {name}"
            assert list(inspect.signature(getattr(cls, name)).parameters) == want, f"{cls.__name__}.{name}"


# --- a concurrent worker on one pool -----------------------------------------------------------


class SlowOutbox:
    """An adapter that takes 0.1 s a post and records what was in flight at once."""

    name = "slow"
    rules = None

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now_in: dict[str, int] = {}
        self.in_flight = self.most = self.most_per_account = 0
        self.sent: list[tuple[str, str, str | None]] = []

    def publish(self, draft: Draft, *, key: str, reply_to: Any) -> Any:
        from campaign.models import RemoteRef

        with self.lock:
            self.in_flight += 1
            self.now_in[draft.account] = self.now_in.get(draft.account, 0) + 1
            self.most = max(self.most, self.in_flight)
            self.most_per_account = max(self.most_per_account, self.now_in[draft.account])
        time.sleep(0.1)
        with self.lock:
            self.in_flight -= 1
            self.now_in[draft.account] -= 1
            self.sent.append((draft.account, draft.text, reply_to.id if reply_to else None))
        return RemoteRef(f"id-{key}", None)

    def find(self, draft: Draft, *, key: str) -> Any:
        return None

    def close(self) -> None:
        pass


def test_a_concurrent_worker_shares_one_pool_and_keeps_each_account_in_order(schema: str, tmp_path: Path) -> None:
    from campaign.publish.worker import Worker

    s = store_at(schema, tmp_path)
    thread = Draft("t", "a0", "outbox", ("t1", "t2", "t3"), (2, 2, 2), 500)
    posts = [draft(f"h{i}-{k}", account=f"a{k}") for i in range(3) for k in range(8)]
    planned = [PlannedPost(thread, p, T0, "UTC") for p in range(3)] + plan(*posts)
    enqueue_plan(s, record({f"a{k}": {"platform": "outbox"} for k in range(8)}), planned, now=T0)
    adapter = SlowOutbox()
    report = Worker(s, lambda job: adapter, now=lambda: T0 + timedelta(minutes=1), limits={},  # type: ignore[arg-type,return-value]
                    concurrency=8).run(once=True)
    assert report.succeeded == 27 and s.counts()["succeeded"] == 27
    assert adapter.most >= 4 and adapter.most_per_account == 1  # in parallel across accounts only
    texts = [t for a, t, _ in adapter.sent if a == "a0"]
    assert [t for t in texts if t.startswith("t")] == ["t1", "t2", "t3"]  # the thread in order
    replies = [r for a, t, r in adapter.sent if t in ("t2", "t3")]
    assert all(r and r.startswith("id-") for r in replies)
    s.close()
