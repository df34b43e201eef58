"""The studio under load: 20 concurrent clients rendering square cards over loopback.

Starts `campaign serve`'s app under uvicorn in a subprocess (no campaign; square only; the
per-client rate limit raised, since every client here shares 127.0.0.1), then N client threads,
each on its own keep-alive connection, POST distinct quotes to /api/card (every one a real
render: no two requests are alike, so the studio's cache never answers). Bounded in count
(`--renders`) and time (`--seconds`). Records per-request latency (p50/p95/p99/max), errors,
throughput, and the server's resident memory (VmRSS) after warm-up and every 500 renders.

Run: python bench/bench_serve.py [--clients 20] [--renders 2000] [--workers 2] [--seconds 300] [--pace S]
Targets (issue 18): p95 ≤ 100 ms, no error, memory flat over 2,000 renders.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("freedom justice courage people Afghanistan women schools voice future together "
         "resistance dignity rights peace hope education truth").split()
SERVER = """
import sys
from campaign.serve import studio_options
from campaign.serve.app import create_app
import uvicorn
o = studio_options(sizes=["square"], themes=["dark"], renders_per_minute=1_000_000, workers={workers})
uvicorn.run(create_app(o), host="127.0.0.1", port={port}, log_level="warning", server_header=False)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _quote(i: int) -> str:
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(8 + i % 14)]
    return f"{i}: " + " ".join(words).capitalize() + "."


def _post(conn: http.client.HTTPConnection, body: bytes) -> tuple[int, int]:
    conn.request("POST", "/api/card", body=body, headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    return r.status, len(data)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--renders", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2, help="the server's render threads")
    ap.add_argument("--seconds", type=float, default=300.0, help="stop after this long, whatever the count")
    ap.add_argument("--pace", type=float, default=0.0,
                    help="each client starts at most one render this many seconds (0: back to back, "
                         "the saturation test; 1.0: a volunteer typing, whose preview is debounced)")
    args = ap.parse_args()

    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(port=port, workers=args.workers)], env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the studio did not start") from None
                time.sleep(0.1)
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(20):  # fonts, background, thread pool
            _post(warm, json.dumps({"text": f"warm-up {i} " + _quote(i)}).encode())
        warm.close()
        rss = [(0, _rss_kb(proc.pid))]

        lock = threading.Lock()
        next_i = [0]
        lat: list[float] = []
        errors: dict[str, int] = {}
        sizes: list[int] = []
        stop_at = time.monotonic() + args.seconds
        marks = set(range(500, args.renders + 1, 500))

        def client(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            slot = time.monotonic() + k * args.pace / args.clients  # spread, not in lockstep
            while time.monotonic() < stop_at:
                if args.pace:
                    time.sleep(max(0.0, slot - time.monotonic()))
                    slot += args.pace
                with lock:
                    i = next_i[0]
                    if i >= args.renders:
                        break
                    next_i[0] += 1
                body = json.dumps({"text": _quote(i), "speaker": "Volunteer " + str(i % 50),
                                   "size": "square"}).encode()
                t = time.perf_counter()
                try:
                    status, n = _post(conn, body)
                    key = None if status == 200 else str(status)
                except (OSError, http.client.HTTPException) as e:
                    key, n = type(e).__name__, 0
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    lat.append(dt)
                    if key:
                        errors[key] = errors.get(key, 0) + 1
                    else:
                        sizes.append(n)
                    if len(lat) in marks:
                        rss.append((len(lat), _rss_kb(proc.pid)))
            conn.close()

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)

    lat.sort()

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))]

    print(f"clients {args.clients}, pace {args.pace or 'none'}, server render threads {args.workers}, "
          f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(f"renders {len(lat)} in {wall:.1f} s = {len(lat) / wall:.0f} cards/s; errors {sum(errors.values())} {errors or ''}")
    print(f"latency ms: p50 {pct(50):.0f}, p95 {pct(95):.0f}, p99 {pct(99):.0f}, max {lat[-1]:.0f}, "
          f"mean {statistics.fmean(lat):.0f}")
    print(f"card size: median {statistics.median(sizes) / 1000:.0f} KB" if sizes else "no card")
    print("server RSS MB: " + ", ".join(f"{n}: {kb / 1024:.0f}" for n, kb in rss))


if __name__ == "__main__":
    main()
