"""Speaker attribution on PolNeAR train (US political news nobody here wrote), scored exactly as the
acceptance measurement does, with a breakdown by how each speaker was found.

    python bench/bench_attribution.py PolNeAR/data/train [--hold | --fit] [--scorer PATH]
    POLNEAR_TRAIN=PolNeAR/data/train python bench/bench_attribution.py --hold

PolNeAR (github.com/networkdynamics/PolNeAR) states no licence, so none of it is in this repository:
the folder is given on the command line or in POLNEAR_TRAIN. Use data/train only (dev and test are
reserved for acceptance). `--hold` scores the fifth of train kept aside (a hash of each article's
name), `--fit` the other four fifths. The headline line comes from the acceptance scorer
(`polnear_score.py`, by default ../shared/tools/ beside the checkout); the table below it counts, per
sieve, the speakers given right and wrong and the uncertain guesses kept off posts.

The pronoun ranker shipped in campaign/highlights/data/pronoun_ranker.json is trained on the `--fit`
part only, by `bench/train_ranker.py` (same folder argument).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCORER = ROOT.parent / "shared" / "tools" / "polnear_score.py"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("polnear_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def held_out(base: str) -> bool:
    return int(hashlib.sha1(base.encode()).hexdigest(), 16) % 5 == 0


def graded_quotes(data: Path, ps: ModuleType, hold: bool | None) -> Iterator[list[tuple[Any, set[str], str]]]:
    """Per article of `data` (`hold`: only the held-out fifth, only the other four, or all), the
    graded gold quotes found: (the quote found that covers it, the speaker names the scorer accepts,
    the gold Source span's words).

    Articles are read lazily, one per step, so a caller may look at what extracting one left behind."""
    from campaign.article import read_article
    from campaign.highlights.quotes import find_quotes

    seen: set[str] = set()
    for ann in sorted((data / "attributions").glob("*.ann")):
        base = re.sub(r"_[0-9a-f]{4}\.ann$", "", ann.name)
        text_path = data / "text" / f"{base}.txt"
        if base in seen or not text_path.exists() or (hold is not None and held_out(base) != hold):
            continue
        seen.add(base)
        text = text_path.read_text(encoding="utf-8")
        spans, events = ps.load_ann(str(ann))
        chains = ps.coref_mentions(str(data / "corenlp" / f"{base}.txt.xml"), text)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
            f.write(text)
        try:
            quotes = [q for q in find_quotes(read_article(f.name)) if not q.hidden]
        finally:
            os.unlink(f.name)
        found: list[tuple[Any, set[str], str]] = []
        for ev in events:
            c, s = spans.get(ev.get("Content")), spans.get(ev.get("Source"))
            if not c or c[0] != "Content":
                continue
            for m in ps.QUOTE.finditer(text[c[1]:c[2]]):
                gold = m.group(1)
                if len(ps.words(gold)) < 4:
                    continue
                best = max(quotes, key=lambda q: ps.cover(gold, q.text), default=None)
                if best is None or ps.cover(gold, best.text) < 0.8:
                    continue
                found.append((best, ps.accepted(s[3], s[1], s[2], chains) if s else set(), s[3] if s else ""))
        yield found


_PRONOUN_SOURCES = {"he", "she"}
_OTHER_PRONOUNS = {"his", "her", "him", "i", "me", "we", "us", "they", "them", "it", "you"}
_DETERMINERS = {"the", "a", "an", "one", "another", "this", "that", "these", "those"}


def source_form(source: str) -> str:
    """How the gold Source names the speaker: a name, he/she, a description ("the senator"), or
    another pronoun. The scorer grades the last three through CoreNLP's coreference chains."""
    first = source.split()[0].lower() if source.split() else ""
    if first in _PRONOUN_SOURCES:
        return "he or she"
    if first in _OTHER_PRONOUNS:
        return "another pronoun"
    if first in _DETERMINERS:
        return "a description"
    return "a name"


def breakdown(data: Path, ps: ModuleType, hold: bool | None) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    """sieve -> Counter(right, wrong, guess, none), and the same by the gold Source's form, over the
    graded gold quotes found."""
    stats: dict[str, Counter[str]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for found in graded_quotes(data, ps, hold):
        for best, accepted, source in found:
            if not accepted:
                continue
            sieve = (best.sieve or "none").split("+")[0] + ("+pronoun" if "+pronoun" in best.sieve else "")
            if best.speaker:
                ok = ps.caps(best.speaker) & accepted or set(ps.words(best.speaker)) - ps.STOP & accepted
                outcome = "right" if ok else "wrong"
            else:
                outcome = "guess" if best.guess else "none"
            stats[sieve][outcome] += 1
            forms[source_form(source)][outcome] += 1
    return stats, forms


def _table(title: str, rows: dict[str, Counter[str]]) -> Counter[str]:
    print(f"\n{title:34} {'right':>6} {'wrong':>6} {'guess':>6} {'none':>6}  precision  accuracy")
    total: Counter[str] = Counter()
    for key, c in sorted(rows.items(), key=lambda kv: -sum(kv[1].values())):
        total.update(c)
        given = c["right"] + c["wrong"]
        prec = f"{c['right'] / given:.2f}" if given else "-"
        print(f"{key:34} {c['right']:6} {c['wrong']:6} {c['guess']:6} {c['none']:6}  {prec:>9}  {c['right'] / sum(c.values()):8.2f}")
    given = total["right"] + total["wrong"]
    print(f"{'all':34} {total['right']:6} {total['wrong']:6} {total['guess']:6} {total['none']:6}  "
          f"{total['right'] / given if given else 0:9.2f}  {total['right'] / max(1, sum(total.values())):8.2f}")
    return total


def ceilings(forms: dict[str, Counter[str]]) -> None:
    """The accuracy there would be if every quote of one form were right and the rest stayed as they are."""
    graded = sum(sum(c.values()) for c in forms.values())
    right = sum(c["right"] for c in forms.values())
    print()
    for form, c in sorted(forms.items(), key=lambda kv: -sum(kv[1].values())):
        lift = sum(c.values()) - c["right"]
        print(f"accuracy if every quote whose Source is {form} were right: {(right + lift) / graded:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=os.environ.get("POLNEAR_TRAIN"), help="PolNeAR data/train")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--hold", action="store_true", help="the held-out fifth of train")
    group.add_argument("--fit", action="store_true", help="the other four fifths")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the acceptance scorer")
    args = ap.parse_args()
    if not args.data:
        ap.error("give PolNeAR's data/train folder, or set POLNEAR_TRAIN")
    data = Path(args.data)
    if "train" not in data.parts[-1] and not (data / "attributions").is_dir():
        ap.error(f"{data} does not look like PolNeAR data/train")
    if not args.scorer.is_file():
        ap.error(f"acceptance scorer not found: {args.scorer} (give --scorer)")
    split = ["--hold"] if args.hold else ["--fit"] if args.fit else []
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, str(args.scorer), str(data), *split], capture_output=True,
                         text=True, cwd=ROOT, env=env, check=True)
    print(out.stdout.strip().splitlines()[-1], f"({time.perf_counter() - started:.0f} s)")
    stats, forms = breakdown(data, load_scorer(args.scorer), True if args.hold else False if args.fit else None)
    _table("how the speaker was found", stats)
    _table("how the gold Source names them", forms)
    ceilings(forms)


if __name__ == "__main__":
    main()
