"""Lateness of a busy slot: N posts over M accounts due at once, each platform call taking 300 ms.

    python bench/bench_lateness.py [--posts 1000] [--accounts 200] [--delay 0.3]
        [--workers 1,4] [--concurrency 1,64] [--db postgresql://...] [--spread 0]

For each (worker processes, concurrency) pair, a fresh campaign of `--posts` single posts
over `--accounts` accounts (each account's posts in a row) is queued with every slot at
the same instant, a few seconds ahead; then that many real `campaign run` processes
(`--concurrency C`) publish them through the outbox adapter, slowed to `--delay` seconds
a call (`CAMPAIGN_OUTBOX_FAIL=delay:...`). The lateness of a post is the time its
"succeeded" event was recorded less its slot; the table gives p50/p95/p99/max over all
posts, the wall time from the slot to the last post, posts per second, and the CPU time
the worker processes used (start-up included).

The queue is a fresh SQLite file per run, or, with `--db postgresql://...` (or
CAMPAIGN_BENCH_DB), that PostgreSQL database: each run then queues a campaign of its
own (`bench-lateness-<n>`) and measures only its jobs.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from campaign.models import Draft, PlannedPost
from campaign.queue import CampaignRecord, enqueue_plan, open_store

LEAD = 6.0  # seconds between queueing and the slot: the worker processes start meanwhile


@dataclass(frozen=True)
class Result:
    store: str
    workers: int
    concurrency: int
    posts: int
    p50: float
    p95: float
    p99: float
    worst: float
    wall: float
    cpu: float  # CPU seconds the worker processes used, in all

    def row(self) -> str:
        return (f"| {self.store} | {self.workers} | {self.concurrency} | {self.posts:,} | {self.p50:.1f} s | "
                f"{self.p95:.1f} s | {self.p99:.1f} s | {self.worst:.1f} s | {self.wall:.1f} s | "
                f"{self.posts / self.wall:.1f} | {self.cpu:.1f} s |")


def quantile(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p99 of 1,000 posts: the 990th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 1))))
    return ordered[rank - 1]


def queue_slot(db: str, slug: str, posts: int, accounts: int, out: Path, slot: datetime,
               spread: float) -> None:
    store = open_store(db)
    try:
        names = [f"acct{a:03d}" for a in range(accounts)]
        planned = []
        for i in range(posts):
            account = names[i * accounts // posts]  # each account's posts in a row, as a plan makes them
            text = f"Post {i} of the day of action, from {account}. #Vote https://example.org/vote"
            draft = Draft(f"h{i:05d}", account, "outbox", (text,), (len(text),), 500)
            at = slot + timedelta(seconds=spread * i / posts)
            planned.append(PlannedPost(draft, 0, at, "UTC"))
        rec = CampaignRecord(slug, slug, "UTC", "en", str(out.parent), None,
                             {a: {"platform": "outbox", "path": str(out)} for a in names}, slot)
        enqueue_plan(store, rec, planned, now=datetime.now(UTC))
    finally:
        store.close()


def lateness(db: str, slug: str) -> tuple[list[float], datetime | None, int]:
    """Seconds from each published post's slot to its "succeeded" event, when the last one was
    published, and how many posts were not."""
    store = open_store(db)
    try:
        jobs = store.jobs(campaign=slug)
        late, last = [], None
        for job in jobs:
            if job.status != "succeeded":
                continue
            done = max(e.at for e in store.events(job.id) if e.kind == "succeeded")
            late.append((done - job.run_at).total_seconds())
            last = done if last is None else max(last, done)
        return late, last, len(jobs) - len(late)
    finally:
        store.close()


def pending(db: str, slug: str) -> int:
    store = open_store(db)
    try:
        counts = store.counts(campaign=slug)
        return counts.get("todo", 0) + counts.get("doing", 0)
    finally:
        store.close()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(args: argparse.Namespace, base: Path, n: int, workers: int, concurrency: int) -> Result:
    folder = base / f"run{n}-w{workers}-c{concurrency}"
    folder.mkdir(parents=True)
    db = args.db or str(folder / "q.sqlite3")
    slug = f"bench-lateness-{os.getpid()}-{n}"
    slot = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=LEAD)
    queue_slot(db, slug, args.posts, args.accounts, folder / "outbox", slot, args.spread)
    env = dict(os.environ, CAMPAIGN_OUTBOX_FAIL=f"delay:{args.delay}", CAMPAIGN_DB=db)
    cmd = [sys.executable, "-m", "campaign", "run", "--db", db, "--concurrency", str(concurrency),
           "--poll", "1s", "--json"]
    cpu_before = _children_cpu()
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(workers)]
    budget = LEAD + args.posts * args.delay * 1.5 + 60
    started = time.monotonic()
    try:
        while pending(db, slug):
            if time.monotonic() - started > budget:
                raise SystemExit(f"posts still queued after {budget:.0f} s")
            for p in procs:
                if p.poll() is not None:
                    err = p.stderr.read().decode() if p.stderr else ""
                    raise SystemExit(f"a worker exited with {p.returncode}: {err[-2000:]}")
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    cpu = _children_cpu() - cpu_before
    late, last, missing = lateness(db, slug)
    if missing or last is None:
        raise SystemExit(f"{missing} post(s) not published")
    store = "PostgreSQL" if db.startswith(("postgres://", "postgresql://")) else "SQLite"
    return Result(store, workers, concurrency, len(late), statistics.median(late), quantile(late, 0.95),
                  quantile(late, 0.99), max(late), (last - slot).total_seconds(), cpu)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.3, help="seconds each platform call takes")
    ap.add_argument("--workers", default="1,4", help="worker processes to compare, comma-separated")
    ap.add_argument("--concurrency", default="1,64", help="posts in flight per worker, comma-separated")
    ap.add_argument("--spread", type=float, default=0.0, help="slots spread over this many seconds (0: one instant)")
    ap.add_argument("--db", default=os.environ.get("CAMPAIGN_BENCH_DB"),
                    help="a postgresql:// URL (default: a fresh SQLite file per run)")
    ap.add_argument("--dir", type=Path, default=None, help="where databases and outboxes go (default: a temp dir)")
    args = ap.parse_args()
    if args.posts < 1 or args.accounts < 1 or args.accounts > args.posts:
        ap.error("give at least one post per account")
    base = args.dir or Path(tempfile.mkdtemp(prefix="bench-lateness-"))
    base.mkdir(parents=True, exist_ok=True)
    pairs = [(int(w), int(c)) for w in args.workers.split(",") for c in args.concurrency.split(",")]
    print(f"{args.posts:,} posts over {args.accounts} accounts due at once, {args.delay * 1000:.0f} ms a call; "
          f"files in {base}", flush=True)
    print("| store | worker processes | concurrency | posts | p50 | p95 | p99 | max | slot to last post | posts/s "
          "| worker CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    for n, (workers, concurrency) in enumerate(pairs):
        print(one_run(args, base, n, workers, concurrency).row(), flush=True)


if __name__ == "__main__":
    main()
