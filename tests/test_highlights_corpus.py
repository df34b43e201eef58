"""Quote detection and speaker attribution measured on an evaluation corpus of realistic articles.

Each article in tests/fixtures/articles/ has an answer file `<name>.yaml`:

    source: <file name>           # .txt, .md or .html, read with campaign.article.read_article
    split: heldout                # optional: written after the rules were tuned, reported apart
                                  # (heldout2: a second held-out batch, 15 articles, reported apart too)
    language: en                  # optional
    quotes:                       # the direct quotes a careful reader finds
      - text: <a distinctive substring of the quote>
        speaker: <name> | [<name>, <accepted variant>] | null   # null: no speaker should be given
      - text: ...
        speaker: "*"              # a quote whose speaker is not graded
    optional: [<substring>, ...]  # quotes that may or may not be found (short partial quotes)
    boilerplate: [<substring>, ...]  # page furniture that no highlight may contain
    fragments: [<substring>, ...]    # partial quotes woven into a sentence: never a pull quote alone

Quote detection: a gold quote is found when a detected quote contains its substring; a detected
quote is a true positive when it contains some gold substring, ignored when it contains an
`optional` one, and a false positive otherwise. Attribution is graded on the gold quotes found:
precision = right speakers / speakers given, recall = right speakers / gold quotes with a speaker
(a speaker given to a quote that should have none, or to a false-positive quote, is a wrong one).

    python -m tests.test_highlights_corpus      # the per-article table and the totals
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaign.article import read_article
from campaign.highlights import extract
from campaign.highlights.quotes import Quote, find_quotes
from campaign.models import Article

CORPUS = Path(__file__).parent / "fixtures" / "articles"

# Floors the extractor achieves on this corpus (see bench/README.md for the figures).
MIN_DETECTION_PRECISION = 0.95
MIN_DETECTION_RECALL = 0.95
MIN_ATTRIBUTION_PRECISION = 0.97  # a wrong speaker is worse than none
MIN_ATTRIBUTION_RECALL = 0.92


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    s = re.sub(r"[“”„«»\"]", '"', s)
    s = re.sub(r"[‘’‚']", "'", s)
    return re.sub(r"\s+", " ", s.replace("\u200c", " ")).strip()


def _same_speaker(got: str, want: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"^(?:the|le|la|les)\s+", "", _norm(s))

    return key(got) == key(want)


@dataclass
class Score:
    """Counts for one article (or the total)."""

    gold: int = 0
    found: int = 0
    detected: int = 0
    true_pos: int = 0
    gold_speakers: int = 0
    given: int = 0
    right: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for k in ("gold", "found", "detected", "true_pos", "gold_speakers", "given", "right"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def det_p(self) -> float:
        return self.ratio(self.true_pos, self.detected)

    @property
    def det_r(self) -> float:
        return self.ratio(self.found, self.gold)

    @property
    def att_p(self) -> float:
        return self.ratio(self.right, self.given)

    @property
    def att_r(self) -> float:
        return self.ratio(self.right, self.gold_speakers)


def answer_files() -> list[Path]:
    return sorted(CORPUS.glob("*.yaml"))


@cache
def load(answer: Path) -> tuple[dict[str, Any], Article]:
    spec = yaml.safe_load(answer.read_text(encoding="utf-8"))
    article = read_article(str(CORPUS / spec["source"]), language=spec.get("language", "en"))
    return spec, article


def score_article(spec: dict[str, Any], quotes: list[Quote]) -> Score:
    sc = Score()
    golds = spec.get("quotes") or []
    optional = [_norm(o) for o in spec.get("optional") or []]
    texts = [_norm(q.text) for q in quotes]
    used: set[int] = set()
    for g in golds:
        sub = _norm(g["text"])
        want = g.get("speaker")
        wants = want if isinstance(want, list) else [want]
        sc.gold += 1
        graded = wants != ["*"]
        if graded and wants != [None]:
            sc.gold_speakers += 1
        hit = next((i for i, t in enumerate(texts) if sub in t), None)
        if hit is None:
            sc.errors.append(f"missed quote: {g['text'][:50]!r}")
            continue
        sc.found += 1
        used.add(hit)
        got = quotes[hit].speaker
        if not graded:
            continue
        if got is not None:
            sc.given += 1
            if any(w is not None and _same_speaker(got, w) for w in wants):
                sc.right += 1
            else:
                sc.errors.append(f"wrong speaker {got!r} (want {want!r}): {g['text'][:40]!r}")
        elif wants != [None]:
            sc.errors.append(f"no speaker (want {want!r}): {g['text'][:40]!r}")
    for i, (q, t) in enumerate(zip(quotes, texts, strict=True)):
        if i in used or any(_norm(g["text"]) in t for g in golds):
            sc.detected += 1
            sc.true_pos += 1
            continue
        if any(o in t for o in optional):
            continue
        sc.detected += 1
        sc.errors.append(f"not a quote: {q.text[:50]!r}" + (f" (speaker {q.speaker!r})" if q.speaker else ""))
        if q.speaker is not None:
            sc.given += 1  # a speaker on a non-quote is a wrong speaker
    return sc


def evaluate() -> tuple[dict[str, Score], Score]:
    per: dict[str, Score] = {}
    total = Score()
    for answer in answer_files():
        spec, article = load(answer)
        sc = score_article(spec, find_quotes(article))
        per[answer.stem] = sc
        total.add(sc)
    return per, total


def report() -> str:
    per, total = evaluate()
    lines = [f"{'article':<28} {'gold':>4} {'det P':>6} {'det R':>6} {'att P':>6} {'att R':>6}"]
    for name, sc in per.items():
        lines.append(f"{name:<28} {sc.gold:>4} {sc.det_p:>6.2f} {sc.det_r:>6.2f} {sc.att_p:>6.2f} {sc.att_r:>6.2f}")
        lines.extend(f"    {e}" for e in sc.errors)
    splits = sorted({load(a)[0].get("split", "dev") for a in answer_files()}, key=lambda s: (s != "dev", s))
    for split in splits:
        sub = Score()
        for name, sc in per.items():
            if load(CORPUS / f"{name}.yaml")[0].get("split", "dev") == split:
                sub.add(sc)
        lines.append(f"{split:<28} {sub.gold:>4} {sub.det_p:>6.3f} {sub.det_r:>6.3f} {sub.att_p:>6.3f} {sub.att_r:>6.3f}")
    lines.append(
        f"{'TOTAL':<28} {total.gold:>4} {total.det_p:>6.3f} {total.det_r:>6.3f} {total.att_p:>6.3f} {total.att_r:>6.3f}"
        f"   ({total.found}/{total.gold} found, {total.true_pos}/{total.detected} detected right, "
        f"{total.right}/{total.given} speakers right of {total.gold_speakers} expected)"
    )
    return "\n".join(lines)


# --- tests -------------------------------------------------------------------------------------


def test_corpus_is_large_enough() -> None:
    assert len(answer_files()) >= 20


@pytest.mark.parametrize("answer", answer_files(), ids=lambda p: p.stem)
def test_no_boilerplate_in_highlights(answer: Path) -> None:
    spec, article = load(answer)
    texts = [_norm(h.text) for h in extract(article)]
    for b in spec.get("boilerplate") or []:
        leaked = [t for t in texts if _norm(b) in t]
        assert not leaked, f"{b!r} leaked into {leaked[0]!r}"


@pytest.mark.parametrize("answer", answer_files(), ids=lambda p: p.stem)
def test_article_yields_highlights(answer: Path) -> None:
    _, article = load(answer)
    assert extract(article), "no highlight at all"


@pytest.mark.parametrize("answer", [a for a in answer_files() if "fragments:" in a.read_text()], ids=lambda p: p.stem)
def test_woven_fragments_are_not_pull_quotes(answer: Path) -> None:
    """A few words quoted inside a narrative sentence must not stand alone as a quote highlight."""
    spec, article = load(answer)
    for h in extract(article):
        if h.kind != "quote":
            continue
        t = _norm(h.text)
        for f in spec.get("fragments") or []:
            assert not (_norm(f) in t and len(t) < len(_norm(f)) + 25), f"fragment {f!r} is a pull quote: {h.text!r}"


def test_corpus_precision_and_recall() -> None:
    _, total = evaluate()
    summary = report()
    assert total.det_p >= MIN_DETECTION_PRECISION, summary
    assert total.det_r >= MIN_DETECTION_RECALL, summary
    assert total.att_p >= MIN_ATTRIBUTION_PRECISION, summary
    assert total.att_r >= MIN_ATTRIBUTION_RECALL, summary


if __name__ == "__main__":
    print(report())
