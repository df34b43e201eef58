"""The layout's shortcuts for plain left-to-right text give exactly what the full rules give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.cards import bidi, fonts
from campaign.errors import CardError

CHAIN = fonts.chain("sans", "regular")
mixed = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x24F),
        st.sampled_from("سلام افغانستان ۱۲۳ שלום 😀👍🏽❤️\u200d\u200f\u202e ،؟"),
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(mixed, st.booleans())
def test_levels_shortcut_matches_the_full_algorithm(text, rtl):
    assert bidi.levels(text, rtl) == bidi.full_levels(text, rtl)


@settings(max_examples=300, deadline=None)
@given(mixed)
def test_runs_shortcut_matches_the_full_algorithm(text):
    try:
        full = CHAIN.full_runs(text)
    except CardError:
        full = None
    try:
        fast = CHAIN.runs(text)
    except CardError:
        fast = None
    assert fast == full
