"""`campaign build`: the README's main command, end to end on the example campaign."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from campaign.cli import cli
from tests.conftest import EXAMPLE


def _copy_example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE.parent, tmp_path / "configs")
    return tmp_path / "configs" / "example.yaml"


def test_build_example_end_to_end_and_again(tmp_path: Path):
    config = _copy_example(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(config), "-o", str(out), "-j", "1", "--json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["highlights"] >= 5 and res["cards"] == 2 * res["highlights"]
    assert res["warnings"] == []
    posts = sorted((out / "outbox").glob("*/*.json"))
    assert len(posts) == res["thread_parts"] == res["sent"]
    assert {p.parent.name for p in posts} == {"nrf_x", "nrf_mastodon", "nrf_bluesky"}
    assert (out / "pack" / "index.html").is_file() and Path(res["contact_sheet"]).is_file()
    for p in posts:
        post = json.loads(p.read_text())
        assert post["media"] and post["media"][0]["alt"]
    again = CliRunner().invoke(cli, ["build", str(config), "-o", str(out), "-j", "1", "--json"],
                               catch_exceptions=False)
    assert json.loads(again.stdout)["sent"] == 0  # nothing posted twice
    assert sorted((out / "outbox").glob("*/*.json")) == posts


def test_build_never_publishes_real_accounts(tmp_path: Path):
    config = _copy_example(tmp_path)
    text = config.read_text().replace("platform: outbox\n    handle: \"@NRF_demo\"\n    simulate: x",
                                      "platform: x\n    handle: \"@NRF_demo\"")
    assert "platform: x" in text
    config.write_text(text)
    r = CliRunner().invoke(cli, ["build", str(config), "-o", str(tmp_path / "out"), "-j", "1"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "campaign queue" in r.stdout and not (tmp_path / "out" / "outbox").exists()
