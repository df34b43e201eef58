"""The plugin path: a third-party adapter package (examples/echo-adapter) registered through
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

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "echo-adapter"


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


LONG = " ".join(
    f"Sentence number {i} of a long statement says that rights are not negotiable anywhere."
    for i in range(1, 15)
)


def test_the_plugin_limits_shape_its_drafts_threads_and_cards(echo: Path, tmp_path: Path) -> None:
    from campaign.cards import alt_limit, budget_for, sizes_for
    from campaign.config import load
    from campaign.pack import pack_drafts
    from campaign.pipeline import build

    (tmp_path / "article.txt").write_text("“We will not stop,” Jane Doe said.\n", encoding="utf-8")
    (tmp_path / "campaign.yaml").write_text(
        "campaign:\n  name: Plugin test\narticle:\n  source: article.txt\n"
        f"highlights:\n  extra:\n    - {{text: \"{LONG}\", speaker: Jane Doe}}\n"
        "posts:\n  people:\n    Jane Doe: {echo: \"@jane_doe\"}\n"
        "accounts:\n  echo1:\n    platform: echo\n  dry:\n    platform: outbox\n",
        encoding="utf-8")
    cfg = load(tmp_path / "campaign.yaml")
    built = build(cfg, out_dir=tmp_path / "out", cards=False, live=True)
    mine = [d for d in built.drafts if d.account == "echo1"]
    assert mine and all(d.limit == 500 for d in mine)
    assert all(len(p) <= 500 for d in mine for p in d.parts)  # the plugin counts code points
    threads = [d for d in mine if len(d.parts) > 1]
    assert threads and len(LONG) > 500
    assert "@jane_doe" in threads[0].parts[0]  # its own handle format, from `people:`
    outbox = [d for d in built.drafts if d.account == "dry"]
    assert all(len(d.parts) == 1 for d in outbox)  # the outbox has no limit: no thread there
    # the cards it asks for: its own preferred size, byte budget and alt-text limit
    assert sizes_for(["echo"], None) == ["square"]
    assert (budget_for(["echo", "mastodon"]), alt_limit(["echo", "bluesky"])) == (2_000_000, 420)
    # volunteers see it in the pack, fitted the same way
    packed = [d for d in pack_drafts(cfg, built.highlights, []) if d.platform == "echo"]
    assert packed and all(len(p) <= 500 for d in packed for p in d.parts)


def test_a_bad_handle_for_the_plugin_is_a_config_error(echo: Path, tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    text = Path(cfg).read_text(encoding="utf-8").replace(
        "accounts:", "posts:\n  people:\n    Jane Doe: {echo: \"@Not A Handle\"}\naccounts:")
    Path(cfg).write_text(text, encoding="utf-8")
    r = CliRunner().invoke(cli, ["validate", cfg], catch_exceptions=False)
    assert r.exit_code == 2 and "is not an echo handle like @name" in r.output


def test_rules_declared_without_subclassing_are_wrapped() -> None:
    from campaign import platforms

    class Duck:
        max_chars = 20
        max_images = 1

        def length(self, text: str) -> int:
            return len(text.encode("utf-8"))

    rules = platforms.as_rules(Duck(), "duck")
    assert (rules.name, rules.max_chars, rules.max_images, rules.alt_max) == ("duck", 20, 1, 1_000_000_000)
    assert rules.fits("é" * 10) and not rules.fits("é" * 11)  # its own length, not graphemes
    assert rules.problems("x" * 21) == ["too long: 21/20"]
