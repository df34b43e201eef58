"""`render`: empty values leave no dangling punctuation, and the template's line breaks stay."""

from __future__ import annotations

from campaign.posts.compose import render

TEMPLATE = "“{quote}”\n— {speaker}, {role}\n\n{hashtags}\n{link}"
VALUES = {"quote": "We will resist.", "speaker": "Ahmad Massoud", "hashtags": "#Afghanistan",
          "link": "https://example.org/a"}


def test_an_empty_role_drops_its_comma_not_the_blank_line():
    assert render(TEMPLATE, {**VALUES, "role": None}) == (
        "“We will resist.”\n— Ahmad Massoud\n\n#Afghanistan\nhttps://example.org/a")


def test_a_role_is_written_after_the_name():
    assert render(TEMPLATE, {**VALUES, "role": "NRF leader"}) == (
        "“We will resist.”\n— Ahmad Massoud, NRF leader\n\n#Afghanistan\nhttps://example.org/a")


def test_an_empty_role_at_the_end_and_before_a_single_break():
    assert render("“{quote}” — {speaker}, {role}", {**VALUES, "role": ""}) == "“We will resist.” — Ahmad Massoud"
    assert render("— {speaker}, {role}\n{link}", {**VALUES, "role": " "}) == (
        "— Ahmad Massoud\nhttps://example.org/a")
