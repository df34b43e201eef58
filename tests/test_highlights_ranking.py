"""Key-sentence ranking: strong, self-contained sentences over the news lead's who-when-where."""

from __future__ import annotations

from campaign.article import text_article
from campaign.config import HighlightsSection
from campaign.highlights import extract, select

REPORT = """Council Votes on River Plan

On Tuesday, March 3, 2026, the city council of Riverton met at the town hall with delegates from three districts.

Families living by the river have suffered years of flooding, and many fear their homes will be lost forever.

Despite this, the council postponed the vote on the flood defence plan for the fourth time.

Along with the mayor, several councillors and officials attended the session on Tuesday evening.

Residents say the delay leaves the most vulnerable neighbourhoods abandoned to the next storm.
"""


def _sentences() -> list[str]:
    art = text_article(REPORT)
    return [h.text for h in extract(art) if h.kind == "sentence"]


def test_dateline_lead_ranks_below_strong_sentences():
    ranked = _sentences()
    lead = next(t for t in ranked if t.startswith("On Tuesday"))
    strong = next(t for t in ranked if t.startswith("Families living"))
    assert ranked.index(strong) < ranked.index(lead)


def test_sentence_leaning_on_the_previous_one_ranks_low():
    ranked = _sentences()
    leaning = next(t for t in ranked if t.startswith("Despite this"))
    assert ranked.index(leaning) > ranked.index(next(t for t in ranked if t.startswith("Residents say")))


def test_top_two_are_the_quotable_ones():
    art = text_article(REPORT)
    picked = select(extract(art), HighlightsSection.model_validate({"auto": {"count": 2}}), art)
    assert {h.text.split()[0] for h in picked} == {"Families", "Residents"}


def test_a_pinned_id_can_be_edited_and_keeps_its_id():
    art = text_article(REPORT)
    cands = extract(art)
    target = next(h for h in cands if h.text.startswith("Residents say"))
    section = HighlightsSection.model_validate({"auto": {"count": 0}, "pinned": [
        {"id": target.id, "text": "Residents say the delay abandons the most vulnerable.", "speaker": "Residents"}]})
    (h,) = select(cands, section, art)
    assert (h.id, h.text, h.speaker, h.pinned) == (
        target.id, "Residents say the delay abandons the most vulnerable.", "Residents", True)


def test_a_pinned_entry_needs_text_or_id():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="give the quote's text, or the id"):
        HighlightsSection.model_validate({"pinned": [{"speaker": "Someone"}]})
