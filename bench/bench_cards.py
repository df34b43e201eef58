"""Quote-card speed: cards per second per core by size, against the floor of encoding alone.

For each size the full render (`render_card`: fit, layout, draw, encode, alt text) is timed
against encoding an already-drawn card of that size with exactly the same settings (the floor no
renderer can beat). Text measurements (word and run widths, ink boxes) are cleared before every
card so each one pays for its own shaping and rasterizing, as in a campaign of different quotes;
fonts and backgrounds stay cached, as they do in a worker process. Then the example campaign is
rendered with 1 and with 2 processes.

Run: python bench/bench_cards.py [--repeat N]
Targets: full render within 1.25x of the encode floor; at least 3x faster than the ~60 ms a
warm headless Chromium takes per 1080x1080 card.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUOTES = [
    "Do not give in to the Taliban's demands for ransom. Don't be misled into expecting them "
    "to change; they haven't and they won't.",
    "Under the Taliban, Afghanistan has turned into a hotspot for terrorism and a prison for its "
    "people. Strong political pressure on the Taliban is what we need, but it's not being "
    "implemented.",
    "Engage with the Afghan people, not the Taliban.",
    "«ما تسلیم نخواهیم شد؛ آزادی افغانستان حق مردم آن است.»",
]
CHROMIUM_MS = 60.0


def _clear_measure_caches() -> None:
    from campaign.cards import layout

    layout.clear_caches()


def bench_sizes(repeat: int, theme: str, fmt: str) -> list[dict[str, float | str]]:
    from campaign.cards import SIZE_PRESETS, render_card, render_image
    from campaign.cards.encode import encode

    rows: list[dict[str, float | str]] = []
    for size in SIZE_PRESETS:
        for q in QUOTES:  # warm: fonts, background
            render_card(q, speaker="Ahmad Massoud", theme=theme, size=size, fmt=fmt)
        full, floor = [], []
        for i in range(repeat):
            q = QUOTES[i % len(QUOTES)]
            lang = "fa" if "ما" in q else "en"
            _clear_measure_caches()
            t = time.perf_counter()
            render_card(q, speaker="Ahmad Massoud", role="Leader of the NRF", theme=theme,
                        size=size, fmt=fmt, language=lang)
            full.append(time.perf_counter() - t)
            img, _ = render_image(q, speaker="Ahmad Massoud", role="Leader of the NRF",
                                  theme=theme, size=size, language=lang)
            t = time.perf_counter()
            encode(img, fmt, 1_000_000)
            floor.append(time.perf_counter() - t)
        f, e = statistics.median(full) * 1000, statistics.median(floor) * 1000
        rows.append({"size": size, "theme": theme, "fmt": fmt, "full_ms": f, "encode_ms": e,
                     "ratio": f / e, "cards_per_s": 1000 / f, "vs_chromium": CHROMIUM_MS / f})
    return rows


def bench_batch() -> dict[str, float]:
    from campaign.cards import render_campaign
    from campaign.config import load
    from campaign.highlights import highlights_for

    cfg = load(ROOT / "configs" / "example.yaml")
    try:
        _, highlights = highlights_for(cfg)
    except Exception as e:  # the extractor is another stage; keep the card numbers coming
        print(f"(highlights_for failed: {type(e).__name__}; using the six example quotes)")
        highlights = _example_highlights()
    out: dict[str, float] = {"cards": 0}
    for jobs in (1, 2):
        times = []
        for _ in range(3):
            d = Path(tempfile.mkdtemp(prefix="cards-bench-"))
            t = time.perf_counter()
            cards = render_campaign(cfg, list(highlights), d, jobs=jobs)
            times.append(time.perf_counter() - t)
            out["cards"] = len(cards)
            shutil.rmtree(d)
        out[f"jobs{jobs}_s"] = statistics.median(times)
    return out


def _example_highlights() -> list:
    from campaign.models import Highlight

    texts = [
        ("Do not give in to the Taliban's demands for ransom. Don't be misled into expecting them "
         "to change; they haven't and they won't. Engage with the Afghan people, not the Taliban.",
         "Ahmad Massoud"),
        ("This evening in the European Parliament, I pay tribute to the courage of Ahmad Massoud "
         "and the Afghans who, like him, are resisting the tyranny of the Taliban.",
         "Nathalie Loiseau"),
        ("It was a pleasure to welcome you to the European Parliament today, Ahmad Massoud. We "
         "stand with you.", None),
        ("We don't need military intervention or weapons. What we ask is for an end to dealings "
         "with the Taliban and unwavering support for justice.", "Ahmad Massoud"),
        ("Under the Taliban, Afghanistan has turned into a hotspot for terrorism and a prison for "
         "its people.", "Ahmad Massoud"),
        ("Along with the mayor of Strasbourg, other French politicians and diplomats welcomed "
         "Commander Massoud.", None),
    ]
    return [Highlight(id=f"ex{i}", kind="quote", text=t, speaker=s, score=1.0, start=-1, end=-1)
            for i, (t, s) in enumerate(texts)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}  python {sys.version.split()[0]}")
    from PIL import __version__ as pil

    print(f"Pillow {pil}\n")
    print(f"{'size':<10} {'theme':<6} {'fmt':<5} {'full ms':>8} {'encode ms':>10} {'ratio':>6} "
          f"{'cards/s/core':>13} {'vs Chromium':>12}")
    for theme, fmt in (("dark", "png"), ("paper", "png"), ("photo", "png"), ("dark", "jpeg")):
        for r in bench_sizes(args.repeat, theme, fmt):
            print(f"{r['size']:<10} {r['theme']:<6} {r['fmt']:<5} {r['full_ms']:>8.1f} "
                  f"{r['encode_ms']:>10.1f} {r['ratio']:>6.2f} {r['cards_per_s']:>13.1f} "
                  f"{r['vs_chromium']:>11.1f}x")
    b = bench_batch()
    print(f"\nexample campaign: {b['cards']:.0f} cards, --jobs 1: {b['jobs1_s']:.2f} s, "
          f"--jobs 2: {b['jobs2_s']:.2f} s (speed-up {b['jobs1_s'] / b['jobs2_s']:.2f}x)")


if __name__ == "__main__":
    main()
