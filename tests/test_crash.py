"""Crash safety, for real: `campaign run` processes SIGKILLed at random points, and crashing outboxes.

Hundreds of jobs (single posts and threads, three accounts) go through the outbox
adapter with injected faults: transient errors, ambiguous errors (the post landed
but the answer was lost), permanent rejections, and `os._exit` crashes with the
post half written or just landed. Meanwhile the test SIGKILLs the worker at random
moments and starts it again, until every job is finished. Then it checks:

- every job ended `succeeded` or `failed` (with a reason); none is lost or stuck;
- every succeeded job's post is in the outbox exactly once, under its key, with
  its text, and each thread part replies to the part before it;
- nothing else is in the outbox, and no key was ever published twice
  (`repeats.log`, where the outbox records a second publish of a landed key).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from campaign.queue import CampaignRecord, enqueue_plan, open_store
from tests import pg
from tests.helpers import outbox_threads, start_run

ACCOUNTS = ("alpha", "beta", "gamma")
FAULTS = "transient:0.06,ambiguous:0.04,permanent:0.02,crash-before:0.015,crash-after:0.015,delay:0.005"


Db = Path | str  # a SQLite file, or a PostgreSQL URL (`tests.pg.url`)


def rows(db: Db, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
    """The rows of a query on the queue, as the test reads it (not through the store)."""
    if isinstance(db, str):
        import psycopg
        from psycopg.rows import dict_row

        from campaign.queue.postgres_conn import split_schema

        dsn, schema = split_schema(db)
        with psycopg.connect(dsn, row_factory=dict_row) as con:
            con.execute(f'SET search_path TO "{schema}"')
            return con.execute(sql.replace("?", "%s"), params).fetchall()  # type: ignore[arg-type]
    con = sqlite3.connect(db, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def setup_queue(tmp: Path, highlights: int, db: Db | None = None) -> tuple[Db, Path, int]:
    db, out = db or tmp / "q.sqlite3", tmp / "outbox"
    now = datetime.now(UTC) - timedelta(minutes=1)
    planned = outbox_threads(ACCOUNTS, highlights, thread_every=5, thread_parts=3, zone="Europe/Paris", at=now)
    store = open_store(db)
    rec = CampaignRecord("crash", "crash", "Europe/Paris", "en", str(tmp), None,
                         {a: {"platform": "outbox", "path": str(out)} for a in ACCOUNTS}, now)
    enqueue_plan(store, rec, planned, now=now)
    store.close()
    return db, out, len(planned)


def unfinished(db: Db) -> int:
    return int(rows(db, "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('todo', 'doing')")[0]["n"])


def chaos(db: Db, workers: int, budget: float, rng: random.Random, kills: int = 12,
          concurrency: int = 1) -> dict[str, int]:
    """Run `workers` processes (each with `concurrency` posts in flight) and restart whatever dies;
    SIGKILL one `kills` times, mid-run.

    A kill comes after a random number (3 to 30) of jobs finished since the last
    one, plus a random few milliseconds, so it lands while posts are being sent.
    """
    stats = {"killed": 0, "crashed": 0, "started": 0}
    seed = rng.randrange(1 << 30)
    procs: list[subprocess.Popen[bytes]] = []
    deadline = time.monotonic() + budget
    left = unfinished(db)
    next_kill = left - rng.randint(3, 30)
    try:
        while left:
            assert time.monotonic() < deadline, f"jobs still unfinished after {budget}s: {left}"
            for p in [p for p in procs if p.poll() is not None]:
                assert p.returncode in (0, 86), p.stderr.read().decode() if p.stderr else p.returncode
                stats["crashed"] += p.returncode == 86
                procs.remove(p)
            while len(procs) < workers:
                seed += 1
                procs.append(start_run(db, seed, FAULTS, "--concurrency", str(concurrency)))
                stats["started"] += 1
            time.sleep(0.02)
            left = unfinished(db)
            if left <= next_kill and stats["killed"] < kills:
                time.sleep(rng.uniform(0, 0.03))
                victim = rng.choice(procs)
                if victim.poll() is None:
                    victim.send_signal(signal.SIGKILL)
                    stats["killed"] += 1
                victim.wait()  # reaped: its pid is gone, so its leases can be broken at once
                stats["crashed"] += victim.returncode == 86
                procs.remove(victim)
                next_kill = left - rng.randint(3, 30)
    finally:
        for p in procs:  # a survivor may still be starting up, before its handlers exist
            p.send_signal(signal.SIGTERM)
        for p in procs:
            assert p.wait(timeout=20) in (0, 86, -signal.SIGTERM)
    return stats


def verify(db: Db, out: Path, total: int) -> dict[str, int]:
    jobs = rows(db, "SELECT * FROM jobs ORDER BY id")
    assert len(jobs) == total
    by_status: dict[str, int] = {}
    for j in jobs:
        by_status[j["status"]] = by_status.get(j["status"], 0) + 1
    assert set(by_status) <= {"succeeded", "failed"}, by_status
    files = {p.stem: p for p in out.glob("*/*.json")}
    succeeded = [j for j in jobs if j["status"] == "succeeded"]
    for j in jobs:
        if j["status"] == "failed":
            assert j["last_error"], f"job {j['id']} failed without a reason"
            assert j["idempotency_key"] not in files, f"failed job {j['id']} is in the outbox"
    keys = {(j["highlight_id"], j["account"], j["part"]): j["idempotency_key"] for j in jobs}
    for j in succeeded:
        key = j["idempotency_key"]
        assert j["remote_id"] == key
        post = json.loads(files[key].read_text())
        assert files[key].parent.name == j["account"]
        assert post["text"] == json.loads(j["draft"])["parts"][0]
        if j["part"] > 0:
            assert post["reply_to"]["id"] == keys[(j["highlight_id"], j["account"], j["part"] - 1)]
        n = rows(db, "SELECT COUNT(*) AS n FROM job_events WHERE job_id = ? AND kind = 'succeeded'", (j["id"],))
        assert n[0]["n"] == 1
    assert set(files) == {j["idempotency_key"] for j in succeeded}  # nothing extra, nothing missing
    repeats = [line for p in out.glob("*/repeats.log") for line in p.read_text().split()]
    assert repeats == [], f"published twice: {repeats}"
    return by_status


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL, as a `--db` URL; dropped afterwards."""
    pg.require()
    schema = pg.new_schema_name()
    yield pg.url(schema)
    pg.drop_schema(schema)


def sigkill_run(tmp_path: Path, workers: int, db: Db | None = None, concurrency: int = 1) -> None:
    db, out, total = setup_queue(tmp_path, highlights=90, db=db)  # 90 × 3 accounts, every 5th a 3-part thread
    assert total == 378
    rng = random.Random(1234 + workers)
    stats = chaos(db, workers, budget=40 + 10 * workers, rng=rng, concurrency=concurrency)
    by_status = verify(db, out, total)
    assert stats["killed"] >= 8 and stats["crashed"] >= 3, stats  # the test did kill workers mid-run
    assert by_status.get("succeeded", 0) > total * 0.8
    kinds = {r["kind"] for r in rows(db, "SELECT DISTINCT kind FROM job_events")}
    assert {"started", "succeeded", "retry"} <= kinds
    assert "reconciled" in kinds or "lease-expired" in kinds  # some attempts were in doubt and checked


@pytest.mark.parametrize(("workers", "concurrency"), [(1, 1), (2, 1), (2, 8)])
def test_sigkill_and_crashes_lose_nothing_and_duplicate_nothing(tmp_path: Path, workers: int,
                                                                concurrency: int) -> None:
    """One or two processes; with concurrency 8, each keeps every account's post in flight at once."""
    sigkill_run(tmp_path, workers, concurrency=concurrency)


def test_sigkill_on_postgres_with_four_workers_loses_nothing_and_duplicates_nothing(
        tmp_path: Path, pg_url: str) -> None:
    """The same chaos with four `campaign run` processes (four posts in flight each) on one PostgreSQL queue."""
    sigkill_run(tmp_path, 4, db=pg_url, concurrency=4)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_sigterm_finishes_the_post_in_flight_and_exits_0(tmp_path: Path, store: str,
                                                         request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("pg_url") if store == "postgres" else None
    db, out, total = setup_queue(tmp_path, highlights=20, db=url)
    env = dict(os.environ, CAMPAIGN_OUTBOX_FAIL="delay:0.3")
    p = subprocess.Popen([sys.executable, "-m", "campaign", "run", "--db", str(db)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not list(out.glob("*/*.json")):  # wait until it is publishing
        assert time.monotonic() < deadline and p.poll() is None
        time.sleep(0.02)
    time.sleep(0.15)  # now mid-call (each call sleeps 0.3 s)
    p.send_signal(signal.SIGTERM)
    stdout, stderr = p.communicate(timeout=20)
    assert p.returncode == 0, stderr.decode()
    assert b"(stopped)" in stdout
    counts = {r["status"]: r["n"] for r in rows(db, "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")}
    assert "doing" not in counts  # the call in flight was finished and recorded
    assert counts["succeeded"] == len(list(out.glob("*/*.json"))) >= 2
    assert counts["todo"] == total - counts["succeeded"]
