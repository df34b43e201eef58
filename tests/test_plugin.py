"""The plugin path: a third-party adapter package (tests/plugin_example) registered through
the `campaign.publish.adapters` entry point is listed, validated and used like a built-in.

The package is "installed" hermetically, with no network and no pip: its module and a
`campaign_echo-0.1.dist-info` (METADATA + entry_points.txt built from its own pyproject.toml)
go into a temporary folder put on sys.path, which is what an installed wheel looks like to
importlib.metadata.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.models import Draft, RemoteRef
from campaign.publish.adapters import base
from campaign.publish.adapters.base import AdapterContext

EXAMPLE = Path(__file__).parent / "plugin_example"


def install(example: Path, site: Path) -> None:
    """Lay out the example as an installed distribution in `site`."""
    project = tomllib.loads((example / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8")
    lines = []
    for group, eps in project["entry-points"].items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in eps.items()]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(example / "campaign_echo.py", site / "campaign_echo.py")


@pytest.fixture
def echo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site"
    install(EXAMPLE, site)
    monkeypatch.syspath_prepend(str(site))  # also invalidates importlib's caches
    base.refresh()
    yield site
    sys.modules.pop("campaign_echo", None)
    base.refresh()


def write_config(tmp_path: Path, platform: str = "echo") -> str:
    (tmp_path / "article.txt").write_text("“We will not stop,” he said.\n", encoding="utf-8")
    cfg = tmp_path / "campaign.yaml"
    cfg.write_text(
        "campaign:\n  name: Plugin test\narticle:\n  source: article.txt\naccounts:\n"
        f"  echo1:\n    platform: {platform}\n    settings:\n      path: echoed\n",
        encoding="utf-8")
    return str(cfg)


def test_not_installed_means_not_listed() -> None:
    base.refresh()
    assert "echo" not in base.available()


def test_adapters_lists_the_plugin_with_its_limits(echo: Path) -> None:
    r = CliRunner().invoke(cli, ["adapters", "--json"], catch_exceptions=False)
    rows = {a["name"]: a for a in json.loads(r.output)["adapters"]}
    assert rows["echo"]["source"] == "plugin (campaign-echo)"
    assert rows["echo"]["target"] == "campaign_echo:EchoAdapter"
    assert (rows["echo"]["max_chars"], rows["echo"]["max_images"], rows["echo"]["alt_max"]) == (500, 2, 420)
    assert rows["x"]["source"] == "built-in"
    text = CliRunner().invoke(cli, ["adapters"], catch_exceptions=False).output
    assert any(line.startswith("echo\tplugin (campaign-echo)\t500\t2") for line in text.splitlines())


def test_validate_accepts_the_plugin_platform(echo: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["validate", write_config(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "echo1 (echo)" in r.output


def test_validate_refuses_it_when_not_installed(tmp_path: Path) -> None:
    base.refresh()
    r = CliRunner().invoke(cli, ["validate", write_config(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 2 and "unknown platform 'echo'" in r.output


def test_the_plugin_works_through_the_registry_and_the_accounts_cli(
        echo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write_config(tmp_path)
    listing = CliRunner().invoke(cli, ["accounts", cfg], catch_exceptions=False).output
    assert "token                 MISSING: set CAMPAIGN_ECHO1_TOKEN" in listing
    monkeypatch.setenv("CAMPAIGN_ECHO1_TOKEN", "echo-token-secret")
    r = CliRunner().invoke(cli, ["accounts", "check", cfg], catch_exceptions=False)
    assert r.exit_code == 0 and "echo1: ok, posts to echo as @echo1" in r.output

    ctx = AdapterContext(account="echo1", platform="echo", settings={"settings": {"path": "echoed"}},
                         state_dir=tmp_path / "state", base_dir=tmp_path)
    adapter = base.create(ctx)
    first = Draft("h1", "echo1", "echo", ("1/2 hello",), (9,), 500)
    second = Draft("h1", "echo1", "echo", ("2/2 world",), (9,), 500)
    ref = adapter.publish(first, key="k1", reply_to=None)
    assert adapter.publish(first, key="k1", reply_to=None) == ref  # same key, posted once
    adapter.publish(second, key="k2", reply_to=ref)
    assert adapter.find(second, key="k2") == RemoteRef("k2", "echo://echo1/k2")
    lines = (tmp_path / "echoed" / "echo.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["reply_to"] for x in lines] == [None, "k1"]
