"""Queue benchmarks: enqueue 100,000 jobs, claim-and-complete throughput, a waiting worker's CPU.

    python bench/bench_queue.py [--jobs 100000] [--dir DIR] [--idle 10] [--synchronous NORMAL]

All on a file database (WAL). Throughput is measured twice: the bare store loop
(`claim` + `succeed`, two transactions and two event rows per job) and the real
`Worker` with an adapter that returns at once (adds the lease heartbeat, the
retry/report bookkeeping). Idle CPU is a real `campaign run` process waiting for a
job due in an hour, read from /proc.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaign.models import Draft, PlannedPost, RemoteRef
from campaign.publish.worker import Worker
from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.sqlite import SqliteStore

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ACCOUNTS = ("x_main", "mastodon", "bluesky")


def plan(n: int) -> list[PlannedPost]:
    out = []
    for i in range(n):
        acct = ACCOUNTS[i % 3]
        text = f"“Quote number {i // 3} from the article, long enough to look like a real post.” — Speaker #tag https://example.org/a?utm_source={acct}"
        d = Draft(f"h{i // 3:06d}", acct, "outbox", (text,), (len(text),), 280)
        out.append(PlannedPost(d, 0, NOW + timedelta(seconds=i), "Europe/Paris"))
    return out


def record() -> CampaignRecord:
    return CampaignRecord("bench", "bench", "Europe/Paris", "en", ".", None,
                          {a: {"platform": "outbox"} for a in ACCOUNTS}, NOW)


class Instant:
    name = "instant"
    credential_fields = ()
    rules = None

    def check(self):  # pragma: no cover
        raise NotImplementedError

    def publish(self, draft: Draft, *, key: str, reply_to: RemoteRef | None) -> RemoteRef:
        return RemoteRef(key, f"https://example.test/{key}")

    def find(self, draft: Draft, *, key: str) -> RemoteRef | None:
        return None


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None, help="where the database files go (default: a temp dir)")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds to watch a waiting worker")
    ap.add_argument("--synchronous", default="NORMAL", choices=["NORMAL", "FULL"])
    args = ap.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="bench-queue-"))
    base.mkdir(parents=True, exist_ok=True)
    planned = plan(args.jobs)
    print(f"{args.jobs:,} jobs, file databases in {base}, synchronous={args.synchronous}")

    # 1. enqueue, then re-queue the same plan (dedupe: nothing added)
    db = base / "enqueue.sqlite3"
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    store = SqliteStore(db, synchronous=args.synchronous)
    t = time.perf_counter()
    report = enqueue_plan(store, record(), planned, now=NOW)
    dt = time.perf_counter() - t
    assert report.counts() == {"added": args.jobs}
    print(f"enqueue:             {dt:6.2f} s  {args.jobs / dt:9,.0f} jobs/s (one transaction, a 'queued' event each)")
    t = time.perf_counter()
    again = enqueue_plan(store, record(), planned, now=NOW)
    dt = time.perf_counter() - t
    assert again.counts() == {"unchanged": args.jobs}
    print(f"re-queue, unchanged: {dt:6.2f} s  {args.jobs / dt:9,.0f} jobs/s (nothing added)")
    store.close()

    # 2a. bare store: claim + succeed, each its own transaction with its event row
    later = NOW + timedelta(days=30)
    store = SqliteStore(db, synchronous=args.synchronous)
    t = time.perf_counter()
    n = 0
    while (c := store.claim("bench", now=later)) is not None:
        store.succeed(c.job.id, "bench", RemoteRef(c.job.idempotency_key), now=later)
        n += 1
    dt = time.perf_counter() - t
    assert n == args.jobs and store.counts()["succeeded"] == n
    print(f"claim+complete:      {dt:6.2f} s  {n / dt:9,.0f} jobs/s (store loop, 2 transactions + 2 events per job)")
    store.close()

    # 2b. the real worker with an instant adapter, on a fresh copy of the queue
    db2 = base / "worker.sqlite3"
    for p in db2.parent.glob(db2.name + "*"):
        p.unlink()
    store = SqliteStore(db2, synchronous=args.synchronous)
    enqueue_plan(store, record(), planned, now=NOW)
    adapter = Instant()
    w = Worker(store, lambda job: adapter, now=lambda: later, limits={})  # type: ignore[arg-type,return-value]
    t = time.perf_counter()
    rep = w.run(once=True)
    dt = time.perf_counter() - t
    assert rep.succeeded == args.jobs
    print(f"worker run --once:   {dt:6.2f} s  {rep.succeeded / dt:9,.0f} jobs/s (Worker, instant adapter)")
    store.close()

    # 3. a waiting worker: one job due in an hour
    db3 = base / "idle.sqlite3"
    for p in db3.parent.glob(db3.name + "*"):
        p.unlink()
    store = SqliteStore(db3)
    enqueue_plan(store, record(), [PlannedPost(planned[0].draft, 0, datetime.now(UTC) + timedelta(hours=1), "UTC")],
                 now=NOW)
    store.close()
    proc = subprocess.Popen([sys.executable, "-m", "campaign", "run", "--db", str(db3)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)  # past start-up
    c0, w0 = cpu_seconds(proc.pid), time.monotonic()
    time.sleep(args.idle)
    c1, w1 = cpu_seconds(proc.pid), time.monotonic()
    proc.terminate()
    code = proc.wait(timeout=20)
    print(f"idle worker:         {c1 - c0:6.3f} s CPU in {w1 - w0:.1f} s = {100 * (c1 - c0) / (w1 - w0):.3f} % "
          f"of a core (default --poll 5s); SIGTERM exit code {code}")


if __name__ == "__main__":
    main()
