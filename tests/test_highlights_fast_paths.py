"""The faster forms of the extractor's scans find exactly what the plain forms find."""

from __future__ import annotations

import random

import regex

from campaign.highlights import mentions, verbs
from campaign.highlights.speakers import Registry

TEXT = (
    "Ohio Governor John Kasich. Barkley said on Tuesday that Mr. Smith and Dr. Jones met McDonald Trump. "
    "“We go,” SAID Ana Pires and Hugo Lindqvist of the UN Human Rights Office, pointing   out the vote. "
    "She went on to say it was over; he shot back, re-said, said-so and Saying things. Sen. Tom Udall of "
    "New Mexico, a Democrat, told reporters: “No.” Le ministre a déclaré, selon Philippe Garnier, qu'il "
    "s'interroge. Elle déclarait, ils ont dit, écrivent-ils. "
)


def _plain(words: list[str]) -> str:
    return "|".join(regex.escape(w).replace(r"\ ", r"\s+") for w in words)


def test_verb_trees_match_the_plain_alternations() -> None:
    plain_en = regex.compile(r"(?<![\p{L}'’-])(?:" + _plain(verbs.EN_VERBS) + r")(?![\p{L}'’-])", regex.I)
    plain_fr = regex.compile(r"(?<![\p{L}])(?:" + _plain(verbs.FR_VERBS) + r")(?![\p{L}])", regex.I)
    tree_fr = regex.compile(verbs.FR_VERB_PATTERN, regex.I)
    every = " ".join(verbs.EN_VERBS + verbs.FR_VERBS)
    text = TEXT + every + " " + every.upper() + " " + "-".join(verbs.EN_VERBS) + " " + "x ".join(verbs.FR_VERBS)
    for plain, tree in ((plain_en, verbs.EN_VERB_RE), (plain_fr, tree_fr)):
        assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)]
        for w in verbs.EN_VERBS + verbs.FR_VERBS:
            for k in range(1, len(w) + 1):  # every word and every start of one
                assert bool(tree.fullmatch(w[:k])) == bool(plain.fullmatch(w[:k])), w[:k]
    assert [m.group() for m in verbs.EN_VERB_RE.finditer("he went on to say, she pointed  out")] == [
        "went on to say", "pointed  out"]


def test_windows_read_from_the_index_match_a_fresh_scan() -> None:
    rnd = random.Random(7)
    text = TEXT * 3
    reg = Registry()
    assert list(mentions._runs_in(text, reg, 0, len(text))) == list(mentions._runs(text))
    cuts = [0, len(text)] + [i for i, c in enumerate(text) if c in " .“”,"]
    for _ in range(400):
        lo = rnd.choice(cuts + [rnd.randrange(len(text))])
        hi = rnd.choice([c for c in cuts if c >= lo] + [rnd.randrange(lo, len(text) + 1)])
        assert list(mentions._runs_in(text, reg, lo, hi)) == list(mentions._runs(text, lo, hi)), (lo, hi)


def test_person_mentions_skips_runs_inside_any_span() -> None:
    text = "Ana Pires met Hugo Lindqvist. Then Ana Pires left, and Hugo Lindqvist stayed with Ana Pires."
    reg = mentions.build_registry(text)
    every = mentions.person_mentions(text, reg, 0, len(text))
    assert [n for _, n in every] == ["Ana Pires", "Hugo Lindqvist", "Ana Pires", "Hugo Lindqvist", "Ana Pires"]
    for skip in ([(0, 3)], [(30, 60), (10, 20), (14, 40)], [(5, 5), (34, 36)], [(0, len(text))]):
        want = [(p, n) for p, n in every if not any(a <= p < b for a, b in skip)]
        assert mentions.person_mentions(text, reg, 0, len(text), skip) == want
        skip.append((text.index("with"), len(text)))  # the same list, changed: not read from the old union
        want = [(p, n) for p, n in every if not any(a <= p < b for a, b in skip)]
        assert mentions.person_mentions(text, reg, 0, len(text), skip) == want


def test_short_forms_follow_names_added_later() -> None:
    reg = Registry()
    reg.add("Ana Pires", pos=0)
    assert reg.canonical("Pires") == "Ana Pires"
    assert reg._candidates("Pires") == ["Ana Pires"]
    reg.add("Jorge Pires", pos=10)
    reg.add("Luis Pires Costa", pos=20)
    assert reg._candidates("Pires") == ["Ana Pires", "Jorge Pires"]  # the kept answer grew
    fresh = Registry()
    for name, pos in (("Ana Pires", 0), ("Jorge Pires", 10), ("Luis Pires Costa", 20)):
        fresh.add(name, pos=pos)
    for cursor in (5, 15, 25):
        reg.cursor = fresh.cursor = cursor
        for short in ("Pires", "Ana", "Costa", "Pires Costa", "Luis"):
            assert reg.canonical(short) == fresh.canonical(short)
            assert reg.ambiguous(short) == fresh.ambiguous(short)
    assert reg == fresh  # the kept answers are no part of the registry's value
