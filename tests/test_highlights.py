"""Highlights: the example article, pull quotes, key sentences, ids, selection, offsets, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.article import read_article, text_article
from campaign.config import HighlightsSection, load
from campaign.errors import CampaignError
from campaign.highlights import display, extract, highlight_id, highlights_for, normalize, select
from campaign.highlights.quotes import find_quotes
from campaign.models import Article, Highlight
from tests.conftest import EXAMPLE, REPO

ARTICLE = REPO / "configs" / "examples" / "nrf-strasbourg-article.txt"


def source_matches(article: Article, h: Highlight) -> bool:
    """The documented relation between a highlight's text and its offsets (see campaign.highlights)."""
    src = article.text[h.start : h.end]
    if display(src) == h.text:
        return True
    # a split quote: its text is the pieces joined, the source also holds the attribution between
    words = re.findall(r"\w+", re.sub(r"^\[(\w)\]", r"\1", h.text).lower())
    swords = re.findall(r"\w+", src.lower())
    it = iter(swords)
    return bool(words) and words[0] == swords[0] and words[-1] == swords[-1] and all(w in it for w in words)


# --- the example -------------------------------------------------------------------------------


def test_example_four_quotes_with_right_speakers() -> None:
    a = read_article(str(ARTICLE))
    qs = find_quotes(a)
    assert [(q.text[:30], q.speaker) for q in qs] == [
        ("It was a pleasure to welcome y", "French conservative party"),
        ("This evening in the European P", "Nathalie Loiseau"),
        ("under the Taliban, Afghanistan", "Ahmad Massoud"),
        ("Do not give in to the Taliban'", "Ahmad Massoud"),
    ]
    assert qs[3].sieve.endswith("pronoun")  # through "He went on"
    assert qs[0].speaker_kind == "org"
    assert qs[2].role == "Leader of the National Resistance Front of Afghanistan"


def test_example_highlights() -> None:
    a = read_article(str(ARTICLE))
    hs = extract(a)
    texts = " ".join(h.text for h in hs)
    assert "Kumayl" not in texts and "Herat" not in texts and "Advocates for" not in texts
    by_speaker = {h.speaker for h in hs if h.kind == "quote"}
    assert by_speaker == {"French conservative party", "Nathalie Loiseau", "Ahmad Massoud"}
    capital = [h for h in hs if h.text.startswith("[U]nder the Taliban")]
    assert len(capital) == 1 and capital[0].speaker == "Ahmad Massoud"
    h = capital[0]
    assert a.text[h.start : h.end].startswith("under the Taliban")
    assert h.text == "[U]" + a.text[h.start + 1 : h.end]
    assert all(40 <= len(h.text) <= 220 for h in hs)
    assert any(h.kind == "sentence" for h in hs)
    for h in hs:
        assert source_matches(a, h), h


def test_highlights_for_example_config() -> None:
    cfg = load(EXAMPLE)
    article, selected = highlights_for(cfg)
    assert len(selected) == cfg.highlights.auto.count
    assert "Kumayl" not in article.text
    speakers = [h.speaker for h in selected if h.kind == "quote"]
    assert {"Nathalie Loiseau", "Ahmad Massoud", "French conservative party"} <= set(speakers)


# --- pull quotes and key sentences -------------------------------------------------------------


def test_long_quote_splits_into_self_contained_candidates() -> None:
    text = (
        "Ana Ortiz, the mayor of Riverton, spoke after the flood.\n\n"
        "“The water came faster than anyone expected and reached the old town before midnight. "
        "But we were ready for it. Our crews had sandbags on every corner of the river road by ten. "
        "This town has been through worse, and we will rebuild every house that was lost this week. "
        "Nobody will be left alone while we do it,” Ortiz said."
    )
    a = text_article(text)
    hs = [h for h in extract(a) if h.kind == "quote"]
    assert hs and all(h.speaker == "Ana Ortiz" for h in hs)
    assert all(h.role == "Mayor of Riverton" for h in hs)
    for h in hs:
        assert 40 <= len(h.text) <= 220
        assert not re.match(r"(But|This|And|It)\b", h.text), h.text
        assert h.text.endswith((".", "!", "?"))
        assert display(a.text[h.start : h.end]) == h.text


def test_trailing_comma_becomes_period() -> None:
    a = text_article("“We will rebuild every single house that was lost this week,” Ana Ortiz said.")
    [h] = [h for h in extract(a) if h.kind == "quote"]
    assert h.text == "We will rebuild every single house that was lost this week."
    assert a.text[h.start : h.end] == "We will rebuild every single house that was lost this week,"


def test_short_fragment_is_never_a_pull_quote() -> None:
    a = text_article("Ana Ortiz said the plan was “dead on arrival in the Senate” and left the room early.")
    assert [h for h in extract(a) if h.kind == "quote"] == []


def test_article_without_quotes_yields_key_sentences() -> None:
    text = (
        "The city of Riverton will build 2,000 new homes by 2028 under a plan approved on Monday.\n\n"
        "The plan, the largest in the city's history, is funded by a new tax on empty properties.\n\n"
        "But it was close. It passed by one vote.\n\n"
        "Construction is expected to start in the spring, and the first families could move in by 2026."
    )
    hs = extract(text_article(text))
    assert hs and all(h.kind == "sentence" and h.speaker is None for h in hs)
    assert hs[0].text.startswith("The city of Riverton")
    assert not any(h.text.startswith(("But", "It passed")) for h in hs)


def test_ids_are_stable_and_normalized() -> None:
    assert highlight_id("We stand with you!") == highlight_id("  we STAND with you ")
    assert highlight_id("[U]nder the Taliban") == highlight_id("under the Taliban")
    assert re.fullmatch(r"[0-9a-f]{8}", highlight_id("x"))
    assert normalize("Don’t — stop") == "don t stop"
    a = read_article(str(ARTICLE))
    assert [h.id for h in extract(a)] == [h.id for h in extract(read_article(str(ARTICLE)))]


# --- selection ---------------------------------------------------------------------------------


def _cands() -> tuple[Article, list[Highlight]]:
    a = read_article(str(ARTICLE))
    return a, extract(a)


def test_select_count_pinned_exclude_extra() -> None:
    a, cands = _cands()
    worst = cands[-1]
    best = cands[0]
    section = HighlightsSection.model_validate({
        "auto": {"count": 2},
        "pinned": [worst.id, {"text": "We stand with you.", "speaker": "The Republicans"}],
        "exclude": [best.id],
        "extra": [{"text": "Freedom is not given; it is won.", "speaker": "Ahmad Massoud"}],
    })
    out = select(cands, section, a)
    assert out[0].id == worst.id and out[0].pinned
    assert out[1].text == "We stand with you." and out[1].speaker == "The Republicans" and out[1].pinned
    assert out[1].start >= 0 and a.text[out[1].start : out[1].end] == "We stand with you."
    assert best.id not in [h.id for h in out]
    auto = [h for h in out if not h.pinned and h.start >= 0]
    assert len(auto) == 2
    assert out[-1].text == "Freedom is not given; it is won." and out[-1].start == out[-1].end == -1


def test_select_quotes_only_and_lengths() -> None:
    a, cands = _cands()
    section = HighlightsSection.model_validate({"auto": {"count": 10, "quotes_only": True, "max_length": 120}})
    out = select(cands, section, a)
    assert out and all(h.kind == "quote" and len(h.text) <= 120 for h in out)


@pytest.mark.parametrize("key", ["pinned", "exclude"])
def test_select_unknown_id_names_it(key: str) -> None:
    a, cands = _cands()
    section = HighlightsSection.model_validate({key: ["deadbeef"]})
    with pytest.raises(CampaignError, match=r"deadbeef.*campaign extract"):
        select(cands, section, a)


# --- robustness --------------------------------------------------------------------------------

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_PIECES = st.sampled_from([
    "“", "”", '"', "‘", "’", "«", "»", "„", "“", " said ", " she said, ", "Ana Ortiz", " He went on: ",
    "Mr. ", "U.S. ", ". ", ", ", "\n\n", "we will not stop", " according to the ministry", "[", "]",
    "گفت: ", "«ما ادامه می‌دهیم»", "a-t-il ajouté", " under the law ", "3.5", "…", "!", "?", " ",
])
_TEXTS = st.one_of(st.text(max_size=400), st.lists(_PIECES, max_size=60).map("".join))


@SETTINGS
@given(_TEXTS, st.sampled_from(["en", "fr", "fa"]))
def test_extraction_never_crashes_and_offsets_hold(text: str, lang: str) -> None:
    if not text.strip():
        return
    a = text_article(text, language=lang)
    for h in extract(a, min_length=5, max_length=300):
        assert 0 <= h.start < h.end <= len(a.text)
        assert source_matches(a, h), (h, a.text[h.start : h.end])
    for s in a.sentences:
        assert a.text[s.start : s.end] == s.text


@SETTINGS
@given(st.lists(st.sampled_from([
    "“We will not stop until the job is done,” she said.", "Ana Ortiz, the mayor, spoke.",
    "He went on: “Nobody here is giving up on this town.”", "The vote was 52.4 percent.",
    "“It was close,” said Tom Reyes, an analyst at Fincorp, “but it passed in the end.”",
]), min_size=1, max_size=12))
def test_generated_articles_keep_offsets(sentences: list[str]) -> None:
    a = text_article("\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)))
    for h in extract(a):
        assert source_matches(a, h)
        if h.kind == "quote" and h.speaker:
            assert h.speaker in ("Ana Ortiz", "Tom Reyes")


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_extract_json_and_config(tmp_path: Path) -> None:
    from campaign.cli import cli

    r = CliRunner().invoke(cli, ["extract", str(ARTICLE), "--json", "--limit", "3"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert len(data) == 3
    assert {"id", "kind", "text", "speaker", "role", "score", "start", "end"} <= set(data[0])
    r = CliRunner().invoke(cli, ["extract", str(EXAMPLE)], catch_exceptions=False)
    assert r.exit_code == 0 and "Nathalie Loiseau" in r.output
    r = CliRunner().invoke(cli, ["extract", str(tmp_path / "nope.txt")])
    assert r.exit_code == 1 and "not found" in r.output
