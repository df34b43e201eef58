"""A small learned model for pronoun speakers: which of the people in view "he" or "she" is, and
whether that answer is sure enough to post.

Two parts, both over hand-made features: a ranker (a conditional logit, a softmax over the candidates
of one pronoun) and a confidence model (a logistic regression on the ranker's first choice). Their
weights are in `data/pronoun_ranker.json`, trained by `bench/train_ranker.py` on the fit part of
PolNeAR train (never on its held-out fifth). Inference is dot products in pure Python.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# One value per candidate, in this order (pronouns.candidates computes them).
FEATURES = (
    "gender agrees", "gender conflicts", "recency (1/rank)", "distance (thousands of chars)",
    "named in the quote's paragraph", "named in the paragraph before", "the last speaker",
    "spoke in the last four paragraphs", "subject of the sentence before", "the hand rules' choice", "the hand rules' sure choice",
    "named earlier in the quote's own sentence", "named at a sentence's start", "has a known role",
    "named more than once nearby", "a one-word name", "the pronoun leads into the quote (he said: “…”)",
    "named inside the quote", "a person by some evidence",
)
# The confidence model reads the first choice: its probability, its lead over the second, how many
# candidates there are (and how many of a compatible gender), and the first choice's own features.
CONFIDENCE = ("bias", "first choice's probability", "lead over the second", "1/candidates",
              "1/candidates of a compatible gender") + FEATURES

_HAND_SURE = FEATURES.index("the hand rules' sure choice")
_PATH = Path(__file__).with_name("data") / "pronoun_ranker.json"


@dataclass(frozen=True, slots=True)
class Model:
    """The ranker's weights, the confidence model's weights, and the confidence a sure answer needs."""

    rank: tuple[float, ...]
    confidence: tuple[float, ...]
    sure: float  # a first choice this confident is sure
    keep: float  # the hand rules' sure answer stays sure when it is the first choice and this confident


@lru_cache(maxsize=1)
def model() -> Model | None:
    """The shipped model, or None when there is none (the hand rules then decide alone)."""
    if not _PATH.exists():
        return None
    data = json.loads(_PATH.read_text(encoding="utf-8"))
    if list(data.get("features", [])) != list(FEATURES):
        return None  # trained on other features: ignore it rather than misread it
    return Model(tuple(map(float, data["rank"])), tuple(map(float, data["confidence"])), float(data["sure"]),
                 float(data["keep"]))


def probabilities(cands: list[tuple[str, list[float]]], w: tuple[float, ...]) -> list[float]:
    """The softmax of each candidate's score under the ranker weights `w`."""
    if not cands:
        return []
    scores = [sum(a * b for a, b in zip(w, feats, strict=True)) for _, feats in cands]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def first_choice(cands: list[tuple[str, list[float]]], w: tuple[float, ...]) -> tuple[int, list[float]]:
    """The ranker's first choice (an index into `cands`) and the confidence model's inputs for it."""
    p = probabilities(cands, w)
    order = sorted(range(len(p)), key=lambda i: -p[i])
    i = order[0]
    second = p[order[1]] if len(p) > 1 else 0.0
    return i, [1.0, p[i], p[i] - second, 1.0 / len(p), 1.0 / max(1, compatible(cands)), *cands[i][1]]


def compatible(cands: list[tuple[str, list[float]]]) -> int:
    """How many candidates' gender does not conflict with the pronoun's (FEATURES[1])."""
    return sum(1 for _, f in cands if not f[1])


def confidence(x: list[float], v: tuple[float, ...]) -> float:
    """The probability that a first choice with inputs `x` is the speaker (logistic)."""
    s = sum(a * b for a, b in zip(v, x, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s))))


def best(cands: list[tuple[str, list[float]]], strict: bool = False) -> tuple[str, bool] | None:
    """The first choice and whether it is sure, or None (no model, no candidate). `strict`: the hand
    rules' sure answer does not stay sure on a lower confidence (a pronoun reporting a partial quote,
    "he said that it was “…”", is right less often than "he said: “…”")."""
    m = model()
    if m is None or not cands:
        return None
    i, x = first_choice(cands, m.rank)
    c = confidence(x, m.confidence)
    return cands[i][0], c >= m.sure or (cands[i][1][_HAND_SURE] > 0 and not strict and c >= m.keep)
