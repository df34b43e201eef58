"""Threads keep the campaign's required hashtags, number every part alike, and a highlight's own
warning (a quote with no speaker) is said once, not once per account (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

from campaign.config import loads
from campaign.models import Highlight
from campaign.platforms import get as rules
from campaign.posts.compose import Target, compose, compose_one

CONFIG = """\
campaign: {name: Test campaign, slug: test, language: en, timezone: Europe/Paris}
article: {source: article.txt, url: "https://example.org/news/a"}
accounts:
  x1: {platform: outbox, simulate: x}
  m1: {platform: outbox, simulate: mastodon}
  b1: {platform: outbox, simulate: bluesky}
posts:
  templates: ["“{quote}” — {speaker} {hashtags} {link}", "“{quote}” {link}"]
  hashtags: [HumanRights, FreeSpeech, "Optional?"]
  threads: {allow: true, max_parts: 6}
"""

SENTENCES = [f"Sentence number {i} says something important about the rights of everyone." for i in range(9)]


def cfg(tmp_path: Path, extra: str = "") -> object:
    (tmp_path / "article.txt").write_text("T\n\nBody.\n", encoding="utf-8")
    return loads(CONFIG + extra, "c.yaml", base=tmp_path)


def hl(text: str, speaker: str | None = "Jane Doe") -> Highlight:
    return Highlight(id="abc123", kind="quote", text=text, speaker=speaker, score=1.0, start=0, end=len(text))


def test_a_thread_keeps_the_required_hashtags(tmp_path: Path) -> None:
    c = cfg(tmp_path)
    for platform in ("x", "bluesky"):
        d = compose_one(hl(" ".join(SENTENCES)), Target("a", platform, rules(platform)), c, "https://example.org/a")
        assert len(d.parts) > 1
        joined = "\n".join(d.parts)
        assert "#HumanRights" in joined and "#FreeSpeech" in joined, d.parts
        assert not d.warnings


def test_required_hashtags_dropped_only_with_a_warning(tmp_path: Path) -> None:
    c = cfg(tmp_path, extra="  platforms: {x: {templates: ['{quote} {link}']}}\n")  # x: no {hashtags} at all
    d = compose_one(hl(" ".join(SENTENCES)), Target("a", "x", rules("x")), c, "https://example.org/a")
    assert "#HumanRights" not in "\n".join(d.parts)
    assert any("required hashtags" in w and "#HumanRights" in w for w in d.warnings), d.warnings


def test_every_part_of_a_thread_is_numbered_alike(tmp_path: Path) -> None:
    c = cfg(tmp_path)
    d = compose_one(hl(" ".join(SENTENCES)), Target("a", "x", rules("x")), c, "https://example.org/a")
    n = len(d.parts)
    assert n > 2
    for i, part in enumerate(d.parts, 1):
        body, sep, number = part.rpartition("\n\n")
        assert (sep, number) == ("\n\n", f"{i}/{n}") and body.strip() == body, part


def test_a_quote_with_no_speaker_is_warned_about_once(tmp_path: Path) -> None:
    c = cfg(tmp_path)
    drafts = compose(c, [hl("Words matter here, always.", speaker=None)])
    warned = [w for d in drafts for w in d.warnings]
    assert len(drafts) == 3 and warned == ["highlight abc123: quote without a known speaker"]


def test_compose_and_build_say_the_speaker_warning_once(tmp_path: Path, monkeypatch: object) -> None:
    from click.testing import CliRunner

    from campaign.cli import cli

    (tmp_path / "article.txt").write_text(
        "Title\n\nThe rally drew a crowd.\n\n\"We will keep marching until every prisoner is free,\" "
        "a voice in the crowd shouted as the marchers passed.\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(CONFIG.replace("url: \"https://example.org/news/a\"", "url: https://e.org/a")
                                     + "highlights:\n  auto: {count: 0}\n  extra: [{text: \"We will keep "
                                       "marching until every prisoner is free.\"}]\ncards: {enabled: false}\n",
                                     encoding="utf-8")
    r = CliRunner().invoke(cli, ["compose", str(tmp_path / "c.yaml"), "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    warned = [w for d in json.loads(r.output) for w in d["warnings"]]
    assert warned.count(warned[0]) == 1 and "without a known speaker" in warned[0]
    r = CliRunner().invoke(cli, ["build", str(tmp_path / "c.yaml"), "--json", "--no-publish"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    warnings = [w for w in json.loads(r.output[r.output.index("{"):])["warnings"] if "known speaker" in w]
    assert len(warnings) == 1
