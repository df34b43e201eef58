"""The composer: placeholders, handles, UTM links, hashtags, fitting, threads, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.config import loads
from campaign.errors import ComposeError
from campaign.models import Highlight
from campaign.platforms import get as rules
from campaign.posts.compose import (
    Target,
    compose,
    compose_one,
    drafts_for_platforms,
    pasteable,
    quote_text,
    render,
    tracked_link,
)
from campaign.posts.textfit import grapheme_boundaries

BASE = """\
campaign: {{name: Test campaign, slug: test, language: en, timezone: Europe/Paris}}
article: {{source: article.txt, url: "https://example.org/news/a?id=7#top"}}
accounts:
  x1: {{platform: outbox, simulate: x}}
  m1: {{platform: outbox, simulate: mastodon}}
  b1: {{platform: outbox, simulate: bluesky}}
posts:
  hashtags: [HumanRights, FreeSpeech, "LongOptionalTagNumberOne?", "LongOptionalTagNumberTwo?"]
  people:
    Jane Doe: {{x: "@janedoe", mastodon: "@jane@example.social", bluesky: "@jane.bsky.social"}}
  threads: {{allow: {threads}, max_parts: 4}}
"""


def cfg(tmp_path: Path, threads: bool = True, extra: str = "", tags: bool = True):
    (tmp_path / "article.txt").write_text("T\n\nBody.\n", encoding="utf-8")
    text = BASE.format(threads=str(threads).lower())
    if not tags:
        text = "\n".join(ln for ln in text.splitlines() if "hashtags:" not in ln) + "\n"
    return loads(text + extra, "c.yaml", base=tmp_path)


def hl(text: str, speaker: str | None = "Jane Doe", kind: str = "quote", hid: str = "abc123") -> Highlight:
    return Highlight(id=hid, kind=kind, text=text, speaker=speaker, score=1.0, start=0, end=len(text))  # type: ignore[arg-type]


def test_link_keeps_query_and_fragment_and_adds_utm(tmp_path):
    c = cfg(tmp_path)
    link = tracked_link("https://example.org/a?id=7&utm_source=old#top", "bluesky", c, "h1")
    assert link == "https://example.org/a?id=7&utm_source=bluesky&utm_medium=social&utm_campaign=test#top"


def test_handles_per_platform_and_hashtags(tmp_path):
    c = cfg(tmp_path)
    drafts = {d.account: d for d in compose(c, [hl("We will not be silenced.")])}
    assert "@janedoe" in drafts["x1"].text
    assert "@jane@example.social" in drafts["m1"].text
    assert "@jane.bsky.social" in drafts["b1"].text
    assert "#HumanRights #FreeSpeech" in drafts["x1"].text
    assert "utm_source=x" in drafts["x1"].text and "utm_source=mastodon" in drafts["m1"].text
    assert drafts["x1"].text.startswith("“We will not be silenced.”")
    assert all(not d.warnings for d in drafts.values())


def test_people_roles_win_over_the_article_and_names_match_any_case(tmp_path):
    c = cfg(tmp_path, extra="")
    c = c.model_copy(update={"posts": c.posts.model_copy(update={"people": {
        "Jane Doe": c.posts.people["Jane Doe"].model_copy(update={"role": "Director, Rights Watch"})}})})
    assert c.posts.role_of("jane doe", "lawyer") == "Director, Rights Watch"
    assert c.posts.role_of("Sam Roe", "lawyer") == "lawyer"
    d = compose(c, [hl("Words matter here.", speaker="JANE DOE")])[0]
    assert "@janedoe" in d.text


def test_unknown_speaker_uses_name_and_no_speaker_drops_the_dash(tmp_path):
    c = cfg(tmp_path)
    d = compose(c, [hl("Words matter here.", speaker="Sam Roe")])[0]
    assert "— Sam Roe" in d.text
    d = compose(c, [hl("Words matter here.", speaker=None)])[0]
    assert "—" not in d.text and d.warnings


def test_optional_hashtags_dropped_before_required_ones(tmp_path):
    c = cfg(tmp_path)
    x = Target("x1", "x", rules("x"))
    quote = "Freedom of expression is the foundation of every other right we defend, and we defend it together, in every town and on every network, today. " * 2
    quote = quote[:200]
    d = compose_one(hl(quote.strip()), x, c, "https://example.org/a")
    assert len(d.parts) == 1
    assert "#HumanRights" in d.text and "#LongOptionalTagNumberTwo" not in d.text
    assert rules("x").fits(d.text)


def test_long_quote_becomes_a_numbered_thread_with_link_first(tmp_path):
    c = cfg(tmp_path)
    sentences = [f"Sentence number {i} says something important about rights." for i in range(12)]
    d = compose_one(hl(" ".join(sentences)), Target("x1", "x", rules("x")), c, "https://example.org/a")
    assert 2 <= len(d.parts) <= 4
    n = len(d.parts)
    for i, p in enumerate(d.parts, 1):
        assert p.endswith(f"{i}/{n}") and rules("x").fits(p)
    assert "example.org" in d.parts[0] and all("example.org" not in p for p in d.parts[1:])
    joined = " ".join(d.parts)
    for s in sentences:
        assert s in joined  # split at sentence boundaries: nothing cut


def test_without_threads_quote_is_shortened_at_a_sentence(tmp_path):
    c = cfg(tmp_path, threads=False)
    sentences = [f"Sentence number {i} says something important about rights." for i in range(12)]
    d = compose_one(hl(" ".join(sentences)), Target("x1", "x", rules("x")), c, "https://example.org/a")
    assert len(d.parts) == 1 and d.warnings
    assert "Sentence number 0 says" in d.text and "…" not in d.text
    assert rules("x").fits(d.text)


def test_one_long_sentence_is_cut_at_a_word_with_ellipsis(tmp_path):
    c = cfg(tmp_path, threads=False)
    text = " ".join(["solidarity"] * 60)
    d = compose_one(hl(text), Target("x1", "x", rules("x")), c, "https://example.org/a")
    assert "solidarity…" in d.text and rules("x").fits(d.text)


def test_a_draft_that_cannot_fit_names_highlight_and_account(tmp_path):
    c = cfg(tmp_path, threads=True)
    with pytest.raises(ComposeError, match=r"highlight abc123 on x1 \(x\)"):
        compose_one(hl("a" * 600), Target("x1", "x", rules("x")), c, "https://example.org/a")


def test_rtl_text_kept_intact(tmp_path):
    c = cfg(tmp_path)
    persian = "ما تسلیم نخواهیم شد؛ آزادی افغانستان حق مردم آن است."
    d = compose(c, [hl(persian, speaker="احمد مسعود")])[0]
    assert persian in d.text and "احمد مسعود" in d.text


def test_straight_quotes_become_typographic(tmp_path):
    c = cfg(tmp_path)
    d = compose(c, [hl('We don\'t accept "peace" on their terms.')])[0]
    assert "We don’t accept ‘peace’ on their terms." in d.text


def test_render_tidies_empty_placeholders():
    assert render("“{quote}” — {speaker}\n\n{hashtags} {link}", {"quote": "Q", "speaker": None}) == "“Q”"


def test_bluesky_shows_a_short_link_and_its_facet_opens_the_full_one(tmp_path):
    c = cfg(tmp_path)
    d = compose(c, [hl("We stand together.")])[2]
    assert d.platform == "bluesky" and d.link and d.link.startswith("https://example.org/news/a?id=7")
    assert d.link not in d.text and "example.org/news/a?id=7&ut…" in d.text
    from campaign.platforms.bluesky import display_link

    facets = rules("bluesky").facets(d.text, links={display_link(d.link): d.link})
    uris = [f["features"][0].get("uri") for f in facets]
    assert d.link in uris
    start = next(f["index"]["byteStart"] for f in facets if f["features"][0].get("uri") == d.link)
    assert d.text.encode()[start:].startswith(b"example.org/news/")


def test_pasteable_text_writes_bluesky_links_in_full(tmp_path):
    c = cfg(tmp_path)
    x, _, b = compose(c, [hl("We stand together.")])
    assert pasteable(b.text, b).endswith(b.link or "?") and b.link not in b.text
    assert pasteable(x.text, x) == x.text


def test_drafts_for_platforms_for_the_pack(tmp_path):
    c = cfg(tmp_path)
    ds = drafts_for_platforms(c, [hl("We stand together.")])
    assert [d.platform for d in ds] == ["x", "mastodon", "bluesky"]


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=14)
quotes = st.lists(words, min_size=1, max_size=90).map(" ".join).filter(lambda s: s.strip())
templates = st.sampled_from([
    "“{quote}” — {speaker}\n\n{hashtags} {link}",
    "{quote} {link}",
    "{quote}\n— {speaker}, {role} {hashtags}",
    "“{quote}” {mentions} {link} {title}",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(quote=quotes, template=templates, threads=st.booleans(), platform=st.sampled_from(["x", "mastodon", "bluesky"]))
def test_every_part_fits_its_platform(tmp_path, quote, template, threads, platform):
    c = cfg(tmp_path, threads=threads, extra="  templates: [" + json.dumps(template) + "]\n")
    r = rules(platform)
    try:
        d = compose_one(hl(quote), Target("a", platform, r), c, "https://example.org/a")
    except ComposeError:
        return  # e.g. a single enormous word: reported, never posted
    for p in d.parts:
        assert r.fits(p), (p, r.length(p))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(quote=quotes, threads=st.booleans(), platform=st.sampled_from(["x", "mastodon", "bluesky"]))
def test_cuts_fall_on_grapheme_boundaries_of_the_quote(tmp_path, quote, threads, platform):
    c = cfg(tmp_path, threads=threads, extra='  templates: ["{quote} {link}"]\n', tags=False)
    r = rules(platform)
    try:
        d = compose_one(hl(quote), Target("a", platform, r), c, "https://example.org/a")
    except ComposeError:
        return
    q = quote_text(hl(quote))
    bounds = grapheme_boundaries(q)
    for p in d.parts:
        chunk = re.sub(r"(\n\n| )\d+/\d+$", "", p)  # thread numbering
        chunk = re.sub(r"\s(https://)?example\.org/\S*$", "", chunk).removesuffix("…")
        start = q.find(chunk)
        assert start >= 0, (chunk, q)
        assert start in bounds and start + len(chunk) in bounds, (chunk, q)
