"""Acceptance pass over `campaign report` (issue 19): a campaign queued but not yet published."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from tests.helpers import REPO


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_before_anything_is_published_the_report_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    config = str(tmp_path / "configs" / "example.yaml")
    code, _, err = run("queue", config)
    assert code == 0, err
    code, out, err = run("report", config)
    assert code == 0, err
    assert "nothing published yet" in out and "`campaign run`" in out
    assert "# Per quote" not in out and "# Per platform" not in out  # no empty tables


def test_on_an_80_column_terminal_the_tables_fit_and_urls_stay_whole(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    import campaign.cli.output
    import campaign.cli.report

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAIGN_DB", raising=False)
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    config = str(tmp_path / "configs" / "example.yaml")
    assert run("build", config)[0] == 0
    urls = [p["url"] for p in json.loads(run("report", config, "--json")[1])["top"]]
    monkeypatch.setattr(campaign.cli.output, "is_terminal", lambda: True)
    monkeypatch.setattr(campaign.cli.report, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run("report", config)
    assert code == 0, err
    lines = out.splitlines()[3:]  # the tables (the summary lines above wrap as text does)
    assert max(len(line) for line in lines) <= 80, "\n".join(line for line in lines if len(line) > 80)
    heads = [line for line in lines if "likes" in line]  # the four tables' header rows, never broken mid-word
    assert len(heads) == 4 and all("reposts" in h and "replies" in h and "quotes" in h for h in heads), heads
    assert sum("platform" in h for h in heads) == 3 and sum("account" in h for h in heads) == 2, heads
    at = next(i for i, line in enumerate(lines) if line.strip() == "— Ahmad Massoud")  # under its quote
    assert lines[at + 1].strip() == "bluesky, mastodon, x"
    for url in urls:  # each top post's URL whole on one line, to click or copy
        shown = url.removeprefix("file://").removeprefix(str(tmp_path) + "/")
        assert any(shown in line for line in lines), shown
