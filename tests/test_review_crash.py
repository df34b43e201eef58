"""Pending posts never leak, for real: two `campaign run` processes, SIGKILLed at random, with
crashing outboxes, on a review-required campaign whose posts are approved (and rejected) while
they run. Every approved post goes out exactly once; no pending or rejected post is ever even
claimed."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.sqlite import SqliteStore
from tests.helpers import outbox_threads, start_run

ACCOUNTS = ("alpha", "beta")
FAULTS = "transient:0.05,crash-before:0.03,crash-after:0.03"


def setup(tmp: Path, highlights: int) -> tuple[Path, Path, list[int]]:
    db, out = tmp / "q.sqlite3", tmp / "outbox"
    now = datetime.now(UTC) - timedelta(minutes=1)
    planned = outbox_threads(ACCOUNTS, highlights, thread_every=4, thread_parts=2, zone="UTC", at=now)
    store = SqliteStore(db)
    rec = CampaignRecord("rev", "rev", "UTC", "en", str(tmp), None,
                         {a: {"platform": "outbox", "path": str(out)} for a in ACCOUNTS}, now, review="required")
    enqueue_plan(store, rec, planned, now=now)
    firsts = [j.id for j in store.jobs() if j.part == 0]
    store.close()
    return db, out, firsts


def unfinished_approved(db: Path) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM jobs WHERE status IN ('todo', 'doing') "
                           "AND review = 'approved'").fetchone()[0]
    finally:
        con.close()


def test_two_workers_killed_at_random_publish_only_approved_posts(tmp_path: Path) -> None:
    rng = random.Random(16)
    db, out, firsts = setup(tmp_path, 40)
    rng.shuffle(firsts)
    waves = [firsts[:25], firsts[25:50]]  # approved in two waves while the workers run
    rejected, pending = firsts[50:60], firsts[60:]
    store = SqliteStore(db)
    for job_id in rejected:
        store.reject(job_id, "lawyer", note="not this one", now=datetime.now(UTC))
    procs: list[subprocess.Popen[bytes]] = []
    seed, kills = 0, 0
    deadline = time.monotonic() + 240
    try:
        for wave in waves:
            for job_id in wave:
                store.approve(job_id, "press", now=datetime.now(UTC))
            while unfinished_approved(db):
                assert time.monotonic() < deadline, "approved posts still unfinished"
                for p in [p for p in procs if p.poll() is not None]:
                    assert p.returncode in (0, 86), p.stderr.read().decode() if p.stderr else p.returncode
                    procs.remove(p)
                while len(procs) < 2:
                    seed += 1
                    procs.append(start_run(db, seed, FAULTS))
                time.sleep(rng.uniform(0.05, 0.4))
                if kills < 12 and procs:
                    victim = rng.choice(procs)
                    if victim.poll() is None:
                        victim.send_signal(signal.SIGKILL)
                        kills += 1
                    victim.wait()
                    procs.remove(victim)
        time.sleep(1.0)  # the survivors keep polling: still nothing more may go out
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            assert p.wait(timeout=20) in (0, 86, -signal.SIGTERM)
    assert kills >= 3
    jobs = store.jobs()
    held = {j.id for j in jobs if j.review != "approved"}
    held_threads = {(store.get(i).account, store.get(i).highlight_id) for i in rejected + pending}
    assert held == {j.id for j in jobs if (j.account, j.highlight_id) in held_threads}
    files = {p.stem: p for p in out.glob("*/*.json")}
    for j in jobs:
        if j.id in held:
            assert j.status == "todo" and j.attempts == 0, (j.id, j.status, j.attempts)
            assert "started" not in [e.kind for e in store.events(j.id)]
            assert j.idempotency_key not in files
        else:
            assert j.status in ("succeeded", "failed"), (j.id, j.status)
            if j.status == "succeeded":
                assert json.loads(files[j.idempotency_key].read_text())["text"] == j.draft.text
    sent = {j.idempotency_key for j in jobs if j.status == "succeeded"}
    assert set(files) == sent  # nothing else in the outbox
    repeats = [line for p in out.glob("*/repeats.log") for line in p.read_text().split()]
    assert repeats == [], f"published twice: {repeats}"
    store.close()
