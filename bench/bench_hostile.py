"""Benchmark: the hostile inputs of issue 14's "Bounded cost" table, at 1x and 4x their size.

    python bench/bench_hostile.py            # every input, 1x and 4x
    python bench/bench_hostile.py --quick    # 1x only
    python bench/bench_hostile.py --timeout 60

Each input runs in a fresh interpreter (so a slow one can be stopped at `--timeout` seconds of
wall clock and reported as "> N s"), timing in CPU seconds (steadier than wall time on a loaded
machine) only the stage the input reaches: reading an article (Markdown or
text) and extracting its highlights, loading a campaign YAML, or composing a post for a quote.
The targets: under 15 s at 4x the size, and 4x the input costs at most 8x the time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

YAML_HEAD = """campaign: {name: Bench, slug: bench, language: en, timezone: Europe/Paris}
article: {source: article.txt, url: "https://example.org/a"}
accounts: {a: {platform: outbox, simulate: x}}
"""

# name -> (what it is, size in bytes at 1x, code run in the child with `N` = size and `d` = a folder)
CASES: dict[str, tuple[str, int, str]] = {
    "emphasis": ("Markdown article of `*a *a *a …`", 180_000, """
        p = d / "a.md"; p.write_text("*a " * (N // 3))
        t = time.process_time(); extract(read_article(str(p)))"""),
    "underscores": ("Markdown article of `_a _a _a …`", 180_000, """
        p = d / "a.md"; p.write_text("_a " * (N // 3))
        t = time.process_time(); extract(read_article(str(p)))"""),
    "brackets": ("Markdown article of `[[[[…`", 50_000, """
        p = d / "a.md"; p.write_text("[" * N)
        t = time.process_time()
        try:
            extract(read_article(str(p)))
        except ArticleError:
            pass"""),
    "sentences": ("a paragraph of `Freedom. Freedom. …`", 540_000, """
        p = d / "a.txt"; p.write_text("Freedom. " * (N // 9))
        t = time.process_time(); extract(read_article(str(p)))"""),
    "ellipses": ("a paragraph of `……………` (one run of U+2026)", 200_000, """
        p = d / "a.txt"; p.write_text("…" * N)
        t = time.process_time(); extract(read_article(str(p)))"""),
    "spacing": ("a `spacing:` of N digits and a letter (YAML)", 12_500, """
        (d / "article.txt").write_text("Hello.")
        y = YAML_HEAD + "schedule: {spacing: " + "1" * N + "m}\\n"
        t = time.process_time()
        try:
            loads(y, "bench.yaml", d)
        except ConfigError:
            pass"""),
    "extra-yaml": ("an `extra:` quote (YAML, refused over the cap)", 240_000, """
        (d / "article.txt").write_text("Hello.")
        q = ("Freedom is ours. We stand with them, always. " * (N // 45 + 1))[:N]
        y = YAML_HEAD + 'highlights: {extra: [{text: "' + q + '", speaker: Jane Doe}]}\\n'
        t = time.process_time()
        try:
            loads(y, "bench.yaml", d)
        except ConfigError:
            pass"""),
    "extra-compose": ("composing a post for a quote of N characters (library)", 240_000, """
        (d / "article.txt").write_text("Hello.")
        cfg = loads(YAML_HEAD, "bench.yaml", d)
        q = ("Freedom is ours. We stand with them, always. " * (N // 45 + 1))[:N]
        h = Highlight(id="bench", kind="quote", text=q, speaker="Jane Doe", score=1.0, start=-1, end=-1)
        t = time.process_time(); compose(cfg, [h])"""),
}

CHILD = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from campaign.article import read_article
from campaign.config import loads
from campaign.errors import ArticleError, ConfigError
from campaign.highlights import extract
from campaign.models import Highlight
from campaign.posts.compose import compose
YAML_HEAD = {head!r}
N = {n}
d = Path(tempfile.mkdtemp())
{body}
print(time.process_time() - t)
"""


def run_case(name: str, n: int, timeout: float, repo: Path) -> float | str | None:
    """Seconds; None when stopped at `timeout`; the last line of the error when it crashed."""
    body = textwrap.dedent(CASES[name][2]).strip("\n")
    code = CHILD.format(repo=str(repo), head=YAML_HEAD, n=n, body=body)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                             check=True, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as e:
        return "crash: " + (e.stderr.strip().splitlines() or ["?"])[-1].split(":")[0]
    return float(out.stdout.strip().splitlines()[-1])


def fmt(seconds: float | str | None, timeout: float) -> str:
    if isinstance(seconds, str):
        return seconds
    if seconds is None:
        return f"> {timeout:g} s"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1x sizes only")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before an input is stopped")
    ap.add_argument("--repo", type=Path, default=REPO, help="checkout to measure (e.g. an older one)")
    ap.add_argument("cases", nargs="*", help="names of the inputs (default: all)")
    args = ap.parse_args()
    names = args.cases or list(CASES)
    print(f"{'input':<58} {'size':>9} {'time':>10} {'4x size':>9} {'time':>10} {'ratio':>6}")  # noqa: T201
    worst_ok = True
    for name in names:
        what, size, _ = CASES[name]
        t1 = run_case(name, size, args.timeout, args.repo)
        row = f"{what:<58} {size:>9,} {fmt(t1, args.timeout):>10}"
        if not args.quick:
            t4 = run_case(name, 4 * size, args.timeout, args.repo)
            timed = isinstance(t1, float) and isinstance(t4, float)
            ratio = f"{t4 / t1:.1f}x" if timed and t1 > 0.001 else "-"  # type: ignore[operator]
            row += f" {4 * size:>9,} {fmt(t4, args.timeout):>10} {ratio:>6}"
            if not timed or t4 > 15 or (t1 > 0.05 and t4 / t1 > 8):  # type: ignore[operator]
                worst_ok = False
        print(row, flush=True)
    if not args.quick:
        print("targets met: under 15 s at 4x, 4x the input at most 8x the time" if worst_ok
              else "TARGETS MISSED")


if __name__ == "__main__":
    main()
