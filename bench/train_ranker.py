"""Train the pronoun-speaker ranker (`campaign/highlights/ranker.py`) on the fit part of PolNeAR train.

    python bench/train_ranker.py PolNeAR/data/train [--out campaign/highlights/data/pronoun_ranker.json]

Only the four fifths `bench_attribution.py --fit` scores are read (the held-out fifth stays unseen).
For every he/she the attribution meets, the candidates and their features are recorded; a candidate
is right when the acceptance scorer would accept it for the gold quote the pronoun's quote matches.
The model is a conditional logit (softmax over one pronoun's candidates) fitted by gradient descent
with a small L2 penalty, in pure Python. The threshold `sure` is the lowest probability at which the
first choices on the fit part are right at least `--precision` of the time (no right candidate in
view counts as wrong).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_attribution import DEFAULT_SCORER, graded_quotes, load_scorer  # noqa: E402

Example = tuple[list[list[float]], list[bool]]


def collect(data: Path, scorer: Path) -> list[Example]:
    """(features of each candidate, is it right) for every graded pronoun quote of the fit part."""
    from campaign.highlights import pronouns, ranker

    ps = load_scorer(scorer)
    ranker.model.cache_clear()
    out: list[Example] = []
    saved_path = ranker._PATH
    ranker._PATH = Path("/nonexistent")  # record the hand rules' choices, not a previous model's
    try:
        pronouns.RECORD = []
        for found in graded_quotes(data, ps, hold=False):  # the next article is read on the next step
            recorded = {id(q): cands for q, cands in pronouns.RECORD}
            pronouns.RECORD = []
            for best, accepted, _source in found:
                if id(best) not in recorded or not accepted or not recorded[id(best)]:
                    continue
                cands = recorded[id(best)]
                right = [bool(ps.caps(n) & accepted or set(ps.words(n)) - ps.STOP & accepted) for n, _ in cands]
                out.append(([f for _, f in cands], right))
    finally:
        pronouns.RECORD = None
        ranker._PATH = saved_path
        ranker.model.cache_clear()
    return out


def fit(examples: list[Example], n_features: int, l2: float = 0.01, steps: int = 300, lr: float = 0.5) -> list[float]:
    """The ranker: maximise the log-probability of the right candidates (a softmax over each
    pronoun's candidates)."""
    from campaign.highlights.ranker import probabilities

    w = [0.0] * n_features
    usable = [(x, y) for x, y in examples if any(y)]
    for _ in range(steps):
        grad = [-l2 * wi for wi in w]
        for x, y in usable:
            p = probabilities([("", f) for f in x], tuple(w))
            right = sum(pi for pi, yi in zip(p, y, strict=True) if yi)
            for f, pi, yi in zip(x, p, y, strict=True):
                g = (pi / right if yi else 0.0) - pi  # d log(p of the right ones) / d score
                for j, v in enumerate(f):
                    grad[j] += g * v
        w = [wi + lr * gi / len(usable) for wi, gi in zip(w, grad, strict=True)]
    return w


def fit_confidence(rows: list[tuple[list[float], bool]], l2: float = 0.01, steps: int = 600,
                   lr: float = 0.5) -> list[float]:
    """The confidence model: a logistic regression saying whether the first choice is right."""
    from campaign.highlights.ranker import confidence

    v = [0.0] * len(rows[0][0])
    for _ in range(steps):
        grad = [-l2 * vi for vi in v]
        for x, y in rows:
            p = confidence(x, tuple(v))
            for j, val in enumerate(x):
                grad[j] += ((1.0 if y else 0.0) - p) * val
        v = [vi + lr * gi / len(rows) for vi, gi in zip(v, grad, strict=True)]
    return v


def train(examples: list[Example], n_features: int) -> tuple[list[float], list[float]]:
    from campaign.highlights.ranker import first_choice

    w = fit(examples, n_features)
    rows = []
    for x, y in examples:
        i, feats = first_choice([("", f) for f in x], tuple(w))
        rows.append((feats, y[i]))
    return w, fit_confidence(rows)


def out_of_fold(examples: list[Example], n_features: int, folds: int = 5) -> list[tuple[float, bool]]:
    """(confidence, is the first choice right) for each example, from models trained without it."""
    from campaign.highlights.ranker import confidence, first_choice

    out = []
    for k in range(folds):
        train_part = [e for i, e in enumerate(examples) if i % folds != k]
        w, v = train(train_part, n_features)
        for i, (x, y) in enumerate(examples):
            if i % folds == k:
                j, feats = first_choice([("", f) for f in x], tuple(w))
                out.append((confidence(feats, tuple(v)), y[j]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=os.environ.get("POLNEAR_TRAIN"), help="PolNeAR data/train")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--precision", type=float, default=0.85,
                    help="precision of the sure pronoun answers on the fit part (out of fold)")
    ap.add_argument("--keep", type=float, default=0.7,
                    help="confidence at which the hand rules' sure answer, if first choice, stays sure")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent
                    / "campaign" / "highlights" / "data" / "pronoun_ranker.json")
    args = ap.parse_args()
    if not args.data:
        ap.error("give PolNeAR's data/train folder, or set POLNEAR_TRAIN")
    from campaign.highlights.ranker import FEATURES

    examples = collect(Path(args.data), args.scorer)
    scored = sorted(out_of_fold(examples, len(FEATURES)), reverse=True)
    sure, right = 1.0, 0
    for k, (p, ok) in enumerate(scored, 1):
        right += ok
        if right / k >= args.precision and k >= 20:
            sure = p
    kept = [ok for p, ok in scored if p >= sure]
    print(f"{len(examples)} graded pronoun quotes; first choice right {sum(ok for _, ok in scored) / len(scored):.2f} "
          f"(out of fold); sure at confidence >= {sure:.3f}: {len(kept)} answers, "
          f"precision {sum(kept) / max(1, len(kept)):.3f}")
    w, v = train(examples, len(FEATURES))
    for name, wi in zip(FEATURES, w, strict=True):
        print(f"  {wi:+.2f}  {name}")
    args.out.write_text(json.dumps({"features": list(FEATURES), "rank": [round(x, 4) for x in w],
                                    "confidence": [round(x, 4) for x in v], "sure": round(sure, 4),
                                    "keep": args.keep,
                                    "trained_on": "PolNeAR train, fit part (four fifths); bench/train_ranker.py",
                                    "examples": len(examples), "precision_target": args.precision},
                                   indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
