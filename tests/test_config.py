"""The campaign YAML: the example validates; broken configs give file:line errors and exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.cli import cli
from campaign.config import load, loads, parse_duration
from campaign.errors import ConfigError
from tests.conftest import EXAMPLE

GOOD = """\
campaign:
  name: Test
  timezone: Europe/Paris
article:
  source: article.txt
accounts:
  main: {platform: outbox}
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "article.txt").write_text("Title\n\nBody paragraph.\n", encoding="utf-8")
    return tmp_path


def _run(path: Path) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["validate", str(path)], catch_exceptions=False)
    return r.exit_code, r.output + (r.stderr if r.stderr_bytes is not None else "")


def test_example_validates():
    cfg = load(EXAMPLE)
    assert cfg.campaign.slug == "nrf-strasbourg"
    assert cfg.resolve(cfg.article.source).is_file()
    assert {a.rules_platform for a in cfg.accounts.values()} == {"x", "mastodon", "bluesky"}
    assert {a.platform for a in cfg.accounts.values()} == {"outbox"}
    assert "Ahmad Massoud" in cfg.posts.people and "Nathalie Loiseau" in cfg.posts.people
    code, out = _run(EXAMPLE)
    assert code == 0 and out.startswith("ok:"), out


def test_relative_paths_resolve_against_the_yaml_folder(workdir: Path, monkeypatch):
    (workdir / "campaign.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir("/")
    cfg = load(workdir / "campaign.yaml")
    assert cfg.resolve(cfg.article.source) == workdir / "article.txt"


# Ten kinds of broken config: (yaml, expected line, expected text in the message)
BROKEN = [
    ("syntax", GOOD + "posts:\n  hashtags: [a, b\n", 9, "YAML syntax error"),
    ("unknown key", GOOD.replace("  timezone:", "  timezon:"), 3, "unknown key 'timezon' (did you mean 'timezone'?)"),
    ("bad timezone", GOOD.replace("Europe/Paris", "Europe/Pariss"), 3, "unknown time zone 'Europe/Pariss'"),
    ("wrong type", GOOD + "highlights:\n  auto:\n    count: many\n", 10, "count"),
    ("missing article file", GOOD.replace("article.txt", "nothere.txt"), 5, "article file not found"),
    ("missing required", GOOD.replace("  name: Test\n", ""), 1, "required field is missing"),
    ("bare duration", GOOD + "schedule:\n  spacing: 10\n", 9, "give a unit"),
    ("unknown platform", GOOD.replace("platform: outbox", "platform: mastadon"), 7, "did you mean 'mastodon'?"),
    ("bad placeholder", GOOD + "posts:\n  templates: ['{quote} {speakr}']\n", 9, "did you mean {speaker}?"),
    ("duplicate key", GOOD + "campaign:\n  name: again\n", 8, "duplicate key 'campaign'"),
    ("bad time of day", GOOD + "schedule:\n  slots:\n    - {days: [mon], times: ['25:61']}\n", 10, "not a time of day"),
    ("bad handle", GOOD + "posts:\n  people:\n    Jane: {mastodon: '@jane'}\n", 10, "not a mastodon handle"),
    ("bad colour", GOOD + "cards:\n  theme: {background: blue}\n", 9, "not a colour"),
    ("not a mapping", "- just\n- a list\n", 1, "expected a mapping"),
    ("empty", "", 1, "empty"),
]


@pytest.mark.parametrize("name,text,line,needle", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_config_names_file_line_and_exits_2(workdir: Path, name, text, line, needle):
    path = workdir / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    code, out = _run(path)
    assert code == 2, out
    assert "Traceback" not in out
    first = [ln for ln in out.splitlines() if needle in ln]
    assert first, out
    assert first[0].startswith(f"error: {path}:{line}:"), out


def test_every_problem_is_reported_not_only_the_first(workdir: Path):
    text = GOOD.replace("Europe/Paris", "Mars/Olympus").replace("  name: Test", "  name: Test\n  colour: red")
    text += "schedule:\n  spacing: ten\n  stagger: 5\n"
    with pytest.raises(ConfigError) as e:
        loads(text, "c.yaml", base=workdir)
    fields = [p.field for p in e.value.problems]
    assert fields == ["campaign.colour", "campaign.timezone", "schedule.spacing", "schedule.stagger"]
    assert all(p.line for p in e.value.problems)


def test_missing_article_is_reported_beside_schema_problems(workdir: Path):
    text = GOOD.replace("article.txt", "gone.txt").replace("Europe/Paris", "Nowhere/City")
    with pytest.raises(ConfigError) as e:
        loads(text, "c.yaml", base=workdir)
    assert [p.field for p in e.value.problems] == ["campaign.timezone", "article.source"]
    assert "article file not found" in str(e.value)


def test_summary_reads_like_the_yaml(workdir: Path):
    from campaign.summary import summarize

    path = workdir / "c.yaml"
    path.write_text(GOOD + "schedule:\n  end: 1d12h\n  spacing: 90m\n", encoding="utf-8")
    text = summarize(load(path))["text"]
    assert "to 1d12h later" in text and "spacing 1h30m" in text


def test_unreadable_and_missing_config_files(tmp_path: Path):
    code, out = _run(tmp_path / "nope.yaml")
    assert code == 2 and "file not found" in out
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("campaign:\n  name: caf\xe9\n".encode("latin-1"))
    code, out = _run(bad)
    assert code == 2 and "not UTF-8" in out


def test_secrets_never_belong_in_yaml(workdir: Path):
    text = GOOD.replace("main: {platform: outbox}", "main: {platform: outbox, access_token: abc}")
    with pytest.raises(ConfigError) as e:
        loads(text, "c.yaml", base=workdir)
    assert "unknown key 'access_token'" in str(e.value)


@pytest.mark.parametrize("text,seconds", [("10m", 600), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), ("90s", 90)])
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_no_input_produces_a_traceback(text):
    try:
        loads(text, "fuzz.yaml", base=Path("/nonexistent"))
    except ConfigError as e:
        assert str(e)


def test_init_writes_a_starter_that_validates(tmp_path: Path):
    r = CliRunner().invoke(cli, ["init", str(tmp_path / "new")], catch_exceptions=False)
    assert r.exit_code == 0
    code, out = _run(tmp_path / "new" / "campaign.yaml")
    assert code == 0, out
    again = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert again.exit_code == 2 and "--force" in again.output


def test_example_copy_keeps_working_elsewhere(tmp_path: Path):
    shutil.copytree(EXAMPLE.parent, tmp_path / "configs")
    assert load(tmp_path / "configs" / "example.yaml").campaign.name
