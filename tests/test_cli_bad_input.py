"""Bad input from organizers and advocates, and the one-line answer the CLI must give.

Every case here was found by breaking the starter campaign or the example by hand: each bad
input must give one-line `error: ...` messages naming the file, line and field (or the path),
a non-zero exit code, and never a traceback or an `internal error`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from tests.conftest import EXAMPLE


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `campaign init` folder; returns the campaign.yaml path (cwd is the folder)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = _invoke("init", str(tmp_path))
    assert code == 0, err
    return tmp_path / "campaign.yaml"


def _edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _one_line_errors(err: str) -> list[str]:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no message at all"
    for line in lines:
        assert line.startswith("error: "), line
        assert "Traceback" not in line and "internal error" not in line, line
    return lines


def _validate_fails(cfg: Path, *needles: str) -> list[str]:
    code, _, err = _invoke("validate", str(cfg))
    assert code == 2, err
    lines = _one_line_errors(err)
    for n in needles:
        assert any(n in line for line in lines), (n, lines)
    return lines


# --- config mistakes validate must catch, with file:line:column and field ----------------------


@pytest.mark.parametrize("numbering", ["{x}", "{n", "{0}"])
def test_bad_thread_numbering_is_a_config_error_not_a_crash(starter: Path, numbering: str) -> None:
    _edit(starter, "max_parts: 4}", f'max_parts: 4, numbering: "{numbering}"}}')
    _validate_fails(starter, "campaign.yaml:", "posts.threads.numbering", "{n}")


@pytest.mark.parametrize("template", ["“{quote}} — {speaker}", "“{quote — {speaker}", "{quote} {"])
def test_unbalanced_template_braces(starter: Path, template: str) -> None:
    _edit(starter, '- "“{quote}” — {speaker} {link}"', f'- "{template}"')
    _validate_fails(starter, "posts.templates[1]", "unbalanced")


def test_min_length_above_max_length(starter: Path) -> None:
    _edit(starter, "min_length: 40, max_length: 220", "min_length: 300, max_length: 50")
    _validate_fails(starter, ":18:", "highlights.auto", "min_length (300)")


def test_empty_slots(starter: Path) -> None:
    _edit(starter, '  slots:\n    - {days: weekdays, times: ["09:00", "18:00"]}', "  slots: []")
    _validate_fails(starter, "schedule.slots", "at least 1")


def test_unknown_theme_and_font_family(starter: Path) -> None:
    _edit(starter, "theme: dark ", "theme: {base: darkk, font: comic} ")
    _validate_fails(starter, "cards.theme.base: unknown theme 'darkk' (did you mean 'dark'?)",
                    "cards.theme.font: unknown font 'comic'")


def test_theme_string_typo(starter: Path) -> None:
    _edit(starter, "theme: dark ", "theme: papr ")
    line = next(i for i, t in enumerate(starter.read_text().splitlines(), 1) if "theme: papr" in t)
    _validate_fails(starter, f"campaign.yaml:{line}:10: cards.theme", "did you mean 'paper'?")


def test_logo_background_and_font_that_are_not_images_or_fonts(starter: Path) -> None:
    (starter.parent / "logo.png").write_text("not a png")
    (starter.parent / "bg.jpg").write_bytes(b"\x00" * 10)
    (starter.parent / "brand.ttf").write_text("x")
    _edit(starter, "theme: dark ", "theme: {base: dark, logo: logo.png, image: bg.jpg, font: brand.ttf} ")
    lines = _validate_fails(starter, "cards.theme.logo: cannot read", "cards.theme.image: cannot read",
                            "cards.theme.font: cannot read")
    assert len(lines) == 3


def test_logo_that_is_a_folder(starter: Path) -> None:
    (starter.parent / "logos").mkdir()
    _edit(starter, "theme: dark ", "theme: {base: dark, logo: logos} ")
    _validate_fails(starter, "cards.theme.logo: not a file")


def test_custom_size_out_of_range_says_so(starter: Path) -> None:
    _edit(starter, "  # sizes: [square, landscape]", "  sizes: [99999x1, 1200 x 628]")
    lines = _validate_fails(starter, "cards.sizes[0]: size 99999x1 out of range")
    assert len(lines) == 1  # "1200 x 628" is a fine custom size


def test_non_http_url_article(starter: Path) -> None:
    _edit(starter, "source: article.txt", "source: ftp://example.org/a.txt")
    _validate_fails(starter, "article.source", "only http:// and https://")


def test_empty_sections_say_so(starter: Path) -> None:
    text = starter.read_text(encoding="utf-8")
    start, end = text.index("posts:\n"), text.index("cards:\n")
    starter.write_text(text[:start] + "posts:\n" + text[end:], encoding="utf-8")
    _validate_fails(starter, "posts: this section is empty")


def test_accounts_empty_mapping(starter: Path) -> None:
    _edit(starter, "  local:\n    platform: outbox                 # writes posts to campaign-out/<slug>/outbox/ here, "
          "not a network\n"
          "    simulate: x                      # ...composed with X's text rules\n", "")
    _edit(starter, "accounts:\n", "accounts: {}\n")
    _validate_fails(starter, "accounts: give at least one account")


@pytest.mark.parametrize("key, shown", [("1", "got 1"), ("~", "got nothing")])
def test_account_name_that_is_not_text(starter: Path, key: str, shown: str) -> None:
    _edit(starter, "  local:\n", f"  {key}:\n")
    lines = _validate_fails(starter, "accounts: a name here must be text", shown)
    assert all("[key]" not in line for line in lines)


def test_slug_message_is_plain_words(starter: Path) -> None:
    _edit(starter, "slug: my-campaign ", "slug: My Campaign ")
    lines = _validate_fails(starter, "campaign.slug: 'My Campaign' is not a slug")
    assert "pattern" not in lines[0]


def test_start_gets_one_message_not_one_per_union_branch(starter: Path) -> None:
    _edit(starter, "start: now ", "start: tomorrow ")
    lines = _validate_fails(starter, "schedule.start", "'tomorrow' is not a date and time", "'now'")
    assert len(lines) == 1


def test_mapping_expected_names_the_keys(starter: Path) -> None:
    _edit(starter, "  # extra:", '  extra: ["just a string"]\n  #')
    lines = _validate_fails(starter, "highlights.extra[0]", "(text, speaker, role)")
    assert "LiteralQuote" not in lines[0]


def test_number_as_hashtag(starter: Path) -> None:
    _edit(starter, 'hashtags: [HumanRights, "Solidarity?"]', "hashtags: [HumanRights, 2026]")
    lines = _validate_fails(starter, "posts.hashtags[1]", "'2026' is not a hashtag")
    assert "Hashtag" not in lines[0].split("hashtag", 1)[0]


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    cfg = tmp_path / "bomb.yaml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _validate_fails(cfg, "bomb.yaml:1:1", "expands to more than")


def test_recursive_alias_does_not_hang(tmp_path: Path) -> None:
    cfg = tmp_path / "loop.yaml"
    cfg.write_text("a: &a [*a]\n", encoding="utf-8")
    code, _, err = _invoke("validate", str(cfg))
    assert code == 2
    _one_line_errors(err)


# --- files and folders that cannot be written -------------------------------------------------


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLE.parent, tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "configs" / EXAMPLE.name


@pytest.mark.parametrize("command", [
    ["cards", "{cfg}", "-o", "{file}/cards"],
    ["build", "{cfg}", "-o", "{file}/out", "--no-publish"],
    ["pack", "{cfg}", "-o", "{file}/pack"],
    ["card", "A quote to put on a card for the test", "--by", "Someone", "-o", "{file}/card.png"],
    ["init", "{file}/new"],
])
def test_output_under_a_file_is_a_one_line_error(example: Path, command: list[str]) -> None:
    args = [a.format(cfg=example, file=example) for a in command]
    code, _, err = _invoke(*args)
    assert code == 1, err
    (line,) = _one_line_errors(err)
    assert str(example) in line and "Not a directory" in line


@pytest.mark.parametrize("command", [["status"], ["jobs"], ["log", "1"], ["run", "--once"],
                                     ["queue", "{cfg}"]])
def test_queue_database_that_cannot_be_opened(example: Path, command: list[str]) -> None:
    args = [a.format(cfg=example) for a in command]
    for db in (str(example / "q.sqlite3"), str(example)):  # under a file; a YAML file, not a db
        before = example.read_bytes()
        code, _, err = _invoke(*args, env={"CAMPAIGN_DB": db})
        assert code == 1, err
        (line,) = _one_line_errors(err)
        assert line.startswith(f"error: cannot open the queue database {db}")
        assert example.read_bytes() == before  # the YAML file is left alone


def test_jobs_limit_must_not_be_negative(tmp_path: Path) -> None:
    code, _, err = _invoke("jobs", "--db", str(tmp_path / "q.sqlite3"), "--limit", "-1")
    assert code == 2 and "--limit" in err


# --- articles that yield nothing ---------------------------------------------------------------


def test_build_warns_when_the_article_has_no_highlights(starter: Path) -> None:
    (starter.parent / "article.txt").write_text("Short.\n", encoding="utf-8")
    code, out, err = _invoke("build", str(starter), "--no-publish", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["highlights"] == 0
    assert any("no highlights found in article.txt" in w for w in data["warnings"])


# --- pipes --------------------------------------------------------------------------------------


def test_compose_piped_to_head_has_no_traceback(example: Path) -> None:
    env = {**os.environ, "CAMPAIGN_DB": str(example.parent / "q.sqlite3")}
    p = subprocess.run(
        f"{sys.executable} -m campaign compose {example} | head -1",
        shell=True, capture_output=True, text=True, env=env, timeout=120,
    )
    assert p.stdout.strip()
    assert "Traceback" not in p.stderr and "Exception ignored" not in p.stderr, p.stderr


# --- ids the config refers to -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "compose", "plan", "extract"])
@pytest.mark.parametrize("old, new, field", [
    ("  # pinned: [a1b2c3d4]", "  pinned: [deadbeef]", "highlights.pinned[0]"),
    ("  # exclude: [e5f6a7b8]", "  exclude: [deadbeef]", "highlights.exclude[0]"),
    ("  stagger: 10m", '  stagger: 10m\n  at: {deadbeef: "2026-12-01 09:00"}', "schedule.at.deadbeef"),
    ("  format: png", '  format: png\n  alt: {deadbeef: "A card"}', "cards.alt.deadbeef"),
])
def test_unknown_highlight_ids_name_their_line(starter: Path, command: str, old: str, new: str,
                                               field: str) -> None:
    _edit(starter, old, new)
    code, _, err = _invoke(command, str(starter))
    assert code == 2, err
    (line,) = _one_line_errors(err)
    assert "campaign.yaml:" in line and f"{field}: " in line and "deadbeef" in line


def test_validate_reads_the_article(starter: Path) -> None:
    (starter.parent / "article.txt").write_bytes(bytes(range(256)) * 10)
    code, _, err = _invoke("validate", str(starter))
    assert code == 2
    (line,) = _one_line_errors(err)
    n = next(i for i, t in enumerate(starter.read_text().splitlines(), 1) if t.lstrip().startswith("source:"))
    assert f"campaign.yaml:{n}:11: article.source:" in line and "binary" in line


def test_unknown_platform_is_a_usage_error():
    r = CliRunner().invoke(cli, ["count", "-p", "twitter", "hi"])
    assert r.exit_code == 2 and "unknown platform 'twitter'" in r.output


def test_cancel_an_unknown_campaign_says_so(tmp_path: Path):
    r = CliRunner().invoke(cli, ["cancel", "--campaign", "nope", "--db", str(tmp_path / "q.sqlite3")])
    assert r.exit_code == 1 and "no campaign 'nope'" in r.output


def test_a_nul_character_in_a_path_argument_is_a_one_line_usage_error() -> None:
    from click.testing import CliRunner

    from campaign.cli import cli

    r = CliRunner().invoke(cli, ["validate", "\x00"])
    assert r.exit_code == 2 and r.output == "error: an argument holds a NUL character, which no file name can\n"
