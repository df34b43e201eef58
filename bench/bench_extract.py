"""Benchmark: highlight extraction over a 10,000-word article in memory, and the import cost.

    python bench/bench_extract.py

Builds a news-like article (quotes in several styles, attributions, pronouns, key sentences)
from the example article's paragraphs and invented ones, reads it once, then times
`campaign.highlights.extract` alone. The import time is measured in a fresh interpreter.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "configs" / "examples" / "nrf-strasbourg-article.txt"

EXTRA = [
    "“We will not back down on this budget, not this year and not next year,” Mayor Ana Ortiz said on Tuesday.",
    "Tom Reyes, an analyst at Fincorp, said the plan was “dead on arrival in the Senate.”",
    "“If the vote fails,” she said, “we start again in May with a smaller plan and more allies.”",
    "The council approved 2,000 new homes by 2028, the largest plan in the U.S. state's history, officials said.",
    "According to the fire service, “nobody was hurt, but three buildings will have to come down.”",
    "The ministry said in a statement: “We regret the error and will correct the figures by Friday.”",
]


def build(words: int = 10_000) -> str:
    from campaign.article import read_article

    base = [p.text for p in read_article(str(EXAMPLE)).paragraphs]
    paras: list[str] = []
    i = 0
    while sum(len(p.split()) for p in paras) < words:
        paras.append(base[i % len(base)] if i % 2 == 0 else " ".join(EXTRA[(i // 2) % len(EXTRA):] + EXTRA[:1]))
        i += 1
    return "\n\n".join(paras)


def import_time() -> tuple[float, float, float]:
    """Seconds to import campaign.models (baseline), campaign.highlights, and the extraction
    modules it loads on the first extract() call, each in a fresh process (median of 5)."""
    def run(mod: str) -> float:
        code = f"import time; t=time.perf_counter(); import {mod}; print(time.perf_counter()-t)"
        times = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(5)]
        return statistics.median(times)

    return run("campaign.models"), run("campaign.highlights"), run("campaign.highlights, campaign.highlights.quotes")


def main() -> None:
    from campaign.article import text_article
    from campaign.highlights import extract

    text = build()
    article = text_article(text)
    n_words = len(article.text.split())
    extract(article)  # warm up (regex compilation, lazy imports)
    runs, cpu = [], []
    for _ in range(15):
        t, c = time.perf_counter(), time.process_time()
        hs = extract(article)
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    base, hl, full = import_time()
    print(f"article: {n_words} words, {len(article.paragraphs)} paragraphs, {len(article.sentences)} sentences")
    print(f"extract: wall median {statistics.median(runs) * 1000:.1f} ms, best {min(runs) * 1000:.1f} ms; "
          f"CPU median {statistics.median(cpu) * 1000:.1f} ms ({len(hs)} candidates; target < 100 ms)")
    print(f"import campaign.highlights: {hl * 1000:.1f} ms "
          f"(campaign.models alone {base * 1000:.1f} ms; added {max(0.0, hl - base) * 1000:.1f} ms); "
          f"with the quote machinery extract() loads on first use: {full * 1000:.1f} ms")


if __name__ == "__main__":
    main()
