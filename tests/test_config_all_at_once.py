"""`campaign validate` says everything at once: registry names beside schema errors, each problem
once, ids however YAML reads them, a hint for an unquoted colon, a did-you-mean for a zone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.cli import cli
from campaign.highlights.select import highlight_id, legacy_id

ARTICLE = ("Protest continues\n\n“We will not stop until every prisoner in district 72 walks free and is "
           "home with their family,” said Jane Doe, a lawyer.\n")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    return tmp_path


def _validate(folder: Path, text: str) -> tuple[int, list[str]]:
    (folder / "c.yaml").write_text(text, encoding="utf-8")
    r = CliRunner().invoke(cli, ["validate", "c.yaml"], catch_exceptions=False)
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    return r.exit_code, lines


def test_platform_names_are_reported_with_the_schema_errors_in_one_run(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign: {name: HK}
article: {source: article.txt}
accounts:
  m: {platform: mastadon}
  o: {platform: outbox, simulate: bsky}
schedule:
  slots:
    - {days: everyday, times: ["09:00"]}
""")
    assert code == 2
    assert lines == [
        "error: c.yaml:4:17: accounts.m.platform: unknown platform 'mastadon' (did you mean 'mastodon'?); "
        "installed: bluesky, mastodon, outbox, x",
        "error: c.yaml:5:35: accounts.o.simulate: cannot simulate 'bsky' (did you mean 'bluesky'?); "
        "use one of x, mastodon, bluesky",
        "error: c.yaml:8:14: schedule.slots[0].days: 'everyday' is not a day; use mon..sun, weekdays, "
        "weekend or daily",
    ], lines


def test_platform_names_everywhere_get_a_did_you_mean(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign: {name: HK}
article: {source: article.txt}
posts:
  people:
    Jane: {mastdon: "@jane@example.social"}
  platforms:
    twiter: {hashtags: [A]}
accounts:
  t: {platform: Twitter}
""")
    assert code == 2
    assert [ln.split(": ", 3)[2:] for ln in lines] == [
        ["posts.people.Jane", "unknown platform 'mastdon' (did you mean 'mastodon'?); known: x, mastodon, bluesky, outbox"],
        ["posts.platforms.twiter", "unknown platform 'twiter' (did you mean 'x'?); installed: bluesky, mastodon, outbox, x"],
        ["accounts.t.platform", "unknown platform 'Twitter' (did you mean 'x'?); installed: bluesky, mastodon, outbox, x"],
    ], lines


def test_each_problem_is_told_once(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign: {name: HK}
article: {source: article.txt}
accounts: {o: {platform: outbox}}
schedule:
  end: everyday
  slots:
    - &slot {days: everyday, times: ["09:00"]}
    - *slot
""")
    assert code == 2
    assert len(lines) == 2, lines
    assert lines[0] == ("error: c.yaml:5:8: schedule.end: 'everyday' is neither a date and time "
                        "(e.g. 2026-12-08 18:00) nor a duration (e.g. 7d or 36h)")
    assert lines[1].startswith("error: c.yaml:7:20: schedule.slots[0].days: 'everyday' is not a day")


def test_an_all_digit_id_pasted_unquoted_is_accepted(folder: Path) -> None:
    found = json.loads(CliRunner().invoke(cli, ["extract", "article.txt", "--json"]).stdout)
    (h,) = [h for h in (found if isinstance(found, list) else found["highlights"]) if "district 72" in h["text"]]
    old = legacy_id(h["text"])
    assert old == "15247372" and h["id"] == "2473721f"  # written before ids always held a letter
    code, lines = _validate(folder, f"""\
campaign: {{name: HK}}
article: {{source: article.txt}}
highlights:
  auto: {{count: 0}}
  pinned: [{old}]
  exclude: [01234567]
accounts: {{o: {{platform: outbox}}}}
""")
    # the pinned id is found; the octal-looking one is told as written, not as 342391
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("error: c.yaml:6:13: highlights.exclude[0]:") and "'01234567'" in lines[0], lines
    code, lines = _validate(folder, f"""\
campaign: {{name: HK}}
article: {{source: article.txt}}
highlights:
  auto: {{count: 0}}
  pinned: [{old}, {{id: {old}, speaker: Jane Doe}}]
accounts: {{o: {{platform: outbox}}}}
cards:
  alt: {{{h['id']}: "Jane Doe's words"}}
""")
    assert code == 0, lines


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_generated_ids_are_never_all_digits_and_others_keep_their_id(text: str) -> None:
    import hashlib

    from campaign.highlights.select import normalize

    hid = highlight_id(text)
    old = hashlib.sha1(normalize(text).encode("utf-8")).hexdigest()[:8]
    assert len(hid) == 8 and not hid.isdigit()
    assert hid == old or (old.isdigit() and legacy_id(text) == old)


def test_a_value_with_a_colon_gets_a_hint_to_quote_it(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign:
  name: Hong Kong: five demands
article: {source: article.txt}
accounts: {o: {platform: outbox}}
""")
    assert code == 2
    assert lines == ["error: c.yaml:2:18: campaign.name: YAML syntax error: mapping values are not allowed "
                     "here; a value containing ': ' must be quoted: name: \"Hong Kong: five demands\""]


def test_a_colon_inside_braces_and_an_unquoted_template_get_hints(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign: {name: Hong Kong: five demands}
article: {source: article.txt}
accounts: {o: {platform: outbox}}
""")
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: c.yaml:1:27: campaign.name: YAML syntax error")
    assert lines[0].endswith('must be quoted: name: "Hong Kong: five demands"'), lines
    code, lines = _validate(folder, """\
campaign: {name: HK}
article: {source: article.txt}
posts:
  templates:
    - {quote} — {speaker} {link}
accounts: {o: {platform: outbox}}
""")
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: c.yaml:5:15: posts.templates: YAML syntax error"), lines
    assert lines[0].endswith("""quote it: - "{quote} — {speaker} {link}\""""), lines


@pytest.mark.parametrize("written,meant", [
    ("Asia/Hongkong", "Asia/Hong_Kong"), ("europe/paris", "Europe/Paris"), ("America/New York", "America/New_York"),
    ("Europe/Kabul", "Asia/Kabul"),
])
def test_an_unknown_zone_gets_a_did_you_mean(folder: Path, written: str, meant: str) -> None:
    code, lines = _validate(folder, f"""\
campaign: {{name: HK, timezone: {written}}}
article: {{source: article.txt}}
accounts: {{o: {{platform: outbox}}}}
""")
    assert code == 2
    assert lines == [f"error: c.yaml:1:32: campaign.timezone: unknown time zone '{written}' (did you mean '{meant}'?)"]


def test_a_zone_far_from_any_keeps_the_plain_advice(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign: {name: HK, timezone: Mars/Olympus_Mons}
article: {source: article.txt}
accounts: {o: {platform: outbox}}
""")
    assert code == 2 and lines[0].endswith("(use an IANA name such as Europe/Paris)"), lines


def test_an_unquoted_hashtag_value_is_not_silently_a_comment(folder: Path) -> None:
    code, lines = _validate(folder, """\
campaign: {name: HK}
article: {source: article.txt}   #the article
accounts: {a: {platform: outbox}}
cards:
  footer: #StandWithNRF
  theme: dark   # a comment stays a comment
""")
    assert code == 2
    assert lines == ["error: c.yaml:5:11: cards.footer: '#StandWithNRF' is read as a YAML comment, so the value "
                     "is empty; quote it: footer: \"#StandWithNRF\""]
