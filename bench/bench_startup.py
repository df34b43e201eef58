"""How fast `campaign --help` starts, and which heavy modules it must not import.

Run: python bench/bench_startup.py   (target: median under 150 ms)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

HEAVY = ("PIL", "pydantic", "tweepy", "mastodon", "atproto", "trafilatura", "rich", "jinja2", "yaml")


def main(runs: int = 20) -> None:
    cmd = [sys.executable, "-m", "campaign", "--help"]
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append((time.perf_counter() - t) * 1000)
    base = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        base.append((time.perf_counter() - t) * 1000)
    probe = subprocess.run(
        [sys.executable, "-c",
         "import sys; from campaign.cli import cli; "
         "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    heavy = [m for m in HEAVY if m in probe]
    print(f"campaign --help: median {statistics.median(times):.0f} ms, "
          f"min {min(times):.0f} ms over {runs} runs (bare python: {statistics.median(base):.0f} ms)")
    print(f"heavy modules imported at start-up: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
