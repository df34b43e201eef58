"""Claim+complete throughput with 1, 2 and 4 worker processes, on PostgreSQL beside SQLite.

    python bench/bench_pg.py [--jobs 10000] [--workers 1,2,4] [--repeat 3] [--pg URL] [--dir DIR]

Each run queues `--jobs` due jobs afresh (PostgreSQL: a new schema, dropped afterwards;
SQLite: a new WAL file), starts the worker processes together, and times them until the
queue is empty. A worker is the bare store loop: `claim` + `succeed`, two transactions
and two event rows per job, as `bench_queue.py` measures it in one process. The rate is
jobs / wall time from the common start to the last worker done. Every job must be
claimed exactly once (checked).

`--pg` defaults to $PG_TEST_DSN, else postgresql://postgres@127.0.0.1:5432/test.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from campaign.models import Draft, PlannedPost, RemoteRef
from campaign.queue import CampaignRecord, enqueue_plan, open_store

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)
ACCOUNTS = tuple(f"acct{i:03d}" for i in range(50))


def plan(n: int) -> list[PlannedPost]:
    out = []
    for i in range(n):
        acct = ACCOUNTS[i % len(ACCOUNTS)]
        text = f"“Quote number {i} from the article, long enough to look like a real post.” — Speaker #tag"
        d = Draft(f"h{i:06d}", acct, "outbox", (text,), (len(text),), 280)
        out.append(PlannedPost(d, 0, NOW + timedelta(milliseconds=i), "UTC"))
    return out


def record() -> CampaignRecord:
    return CampaignRecord("bench", "bench", "UTC", "en", ".", None, {a: {"platform": "outbox"} for a in ACCOUNTS}, NOW)


def worker(db: str, owner: str, ready: Any, go: Any, results: Any) -> None:
    """One process: open the store, wait for the common start, claim and complete until empty."""
    store = open_store(db)
    ready.put(owner)
    go.wait()
    ids: list[int] = []
    while (c := store.claim(owner, now=LATER)) is not None:
        store.succeed(c.job.id, owner, RemoteRef(c.job.idempotency_key), now=LATER)
        ids.append(c.job.id)
    results.put((owner, ids, time.perf_counter()))
    store.close()


def run(db: str, jobs: int, workers: int) -> float:
    """Queue `jobs`, run `workers` processes; jobs per second."""
    store = open_store(db)
    enqueue_plan(store, record(), plan(jobs), now=NOW)
    store.close()
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=worker, args=(db, f"w{i}", ready, go, results)) for i in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    start = time.perf_counter()
    go.set()
    done = [results.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    claimed = [i for _, ids, _ in done for i in ids]
    assert len(claimed) == len(set(claimed)) == jobs, "a job was claimed twice, or not at all"
    return jobs / (max(t for _, _, t in done) - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=10_000)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--repeat", type=int, default=3, help="rounds, each running every case once (median kept)")
    ap.add_argument("--pg", default=os.environ.get("PG_TEST_DSN") or "postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--dir", type=Path, default=None, help="where the SQLite files go (default: a temp dir)")
    ap.add_argument("--only", choices=["sqlite", "postgres"], default=None)
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    kinds = [k for k in ("sqlite", "postgres") if args.only in (None, k)]
    base = args.dir or Path(tempfile.mkdtemp(prefix="bench-pg-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"{args.jobs:,} jobs over {len(ACCOUNTS)} accounts, claim + succeed per job; {os.cpu_count()} CPU(s); "
          f"{args.repeat} round(s), the cases interleaved in each (a busy machine slows them alike)")
    rates: dict[tuple[str, int], list[float]] = {}
    for r in range(args.repeat):
        for n in counts:
            for kind in kinds:
                rate = one(kind, n, args, base / f"q-{r}-{n}.sqlite3")
                rates.setdefault((kind, n), []).append(rate)
                print(f"  round {r + 1}: {kind:10} {n} worker(s): {rate:8,.0f} jobs/s", flush=True)
    print("| store | workers | jobs/s (median) | runs | vs one worker |")
    print("|---|---|---|---|---|")
    for kind in kinds:
        for n in counts:
            med = statistics.median(rates[kind, n])
            ratio = med / statistics.median(rates[kind, counts[0]])
            runs = ", ".join(f"{x:,.0f}" for x in rates[kind, n])
            print(f"| {'SQLite' if kind == 'sqlite' else 'PostgreSQL'} | {n} | {med:,.0f} | {runs} | {ratio:.2f} x |")


def one(kind: str, workers: int, args: argparse.Namespace, sqlite_file: Path) -> float:
    if kind == "sqlite":
        return run(str(sqlite_file), args.jobs, workers)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        return run(f"{args.pg}{'&' if '?' in args.pg else '?'}schema={schema}", args.jobs, workers)
    finally:
        drop(args.pg, schema)


def drop(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
