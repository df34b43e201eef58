"""`campaign accounts` (list, check, login) and `campaign adapters`, through click's CliRunner."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from tests.fakes.x import FakeX

KEYS = {
    "api_key": "ckLoginKey7Hq2Wm",
    "api_secret": "csLoginSecret9Zr4Tn8Yp",
    "access_token": "1402938475610001-LoginTok5Bv",
    "access_token_secret": "atsLoginSecret3Gx6Kd",
}

CONFIG = """\
campaign:
  name: Accounts test
article:
  source: article.txt
accounts:
  nrf_x:
    platform: x
    handle: "@nrf_demo"
    settings:
      api_base: {base}
  local:
    platform: outbox
    simulate: x
    path: outbox
"""


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "config" / "campaign"


def write_config(tmp_path: Path, base: str = "http://127.0.0.1:9") -> str:
    (tmp_path / "article.txt").write_text("“We will not stop,” he said.\n", encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text(CONFIG.format(base=base), encoding="utf-8")
    return str(path)


def set_env(monkeypatch: pytest.MonkeyPatch, fields: list[str]) -> None:
    for f in fields:
        monkeypatch.setenv(f"CAMPAIGN_NRF_X_{f.upper()}", KEYS[f])


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def no_secrets(text: str) -> None:
    for name, value in KEYS.items():
        assert value not in text, f"{name} printed"


def test_listing_says_where_each_field_comes_from(tmp_path: Path, config_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write_config(tmp_path)
    set_env(monkeypatch, ["api_key", "api_secret"])
    config_dir.mkdir(parents=True)
    secrets = config_dir / "secrets.json"
    secrets.write_text(json.dumps({"nrf_x": {"access_token": KEYS["access_token"]}}))
    secrets.chmod(0o600)
    r = run("accounts", cfg)
    assert r.exit_code == 0, r.output
    assert "nrf_x  (x, @nrf_demo)" in r.output
    assert "api_key               env CAMPAIGN_NRF_X_API_KEY" in r.output
    assert f"access_token          secrets file {secrets}" in r.output
    assert "access_token_secret   MISSING: set CAMPAIGN_NRF_X_ACCESS_TOKEN_SECRET" in r.output
    assert "local  (outbox" in r.output and "no credentials needed" in r.output
    no_secrets(r.output)
    assert run("accounts", "list", cfg).output == r.output
    data = json.loads(run("accounts", cfg, "--json").output)
    x = data["accounts"][0]
    assert x["credentials"]["api_key"] == {"source": "env", "variable": "CAMPAIGN_NRF_X_API_KEY"}
    assert x["credentials"]["access_token_secret"]["source"] == "missing"
    assert x["ok"] is False and data["accounts"][1]["ok"] is True
    no_secrets(json.dumps(data))


def test_check_prints_who_each_account_posts_as(tmp_path: Path, config_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, list(KEYS))
    with FakeX(keys=KEYS) as srv:
        cfg = write_config(tmp_path, srv.url)
        r = CliRunner().invoke(cli, ["accounts", "check", cfg], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        assert "nrf_x: ok, posts to x as @nrf_demo https://x.com/nrf_demo" in r.output
        assert "local: ok" in r.output
        r = run("accounts", "check", cfg, "nrf_x", "--json")
        assert json.loads(r.output)["accounts"][0]["handle"] == "@nrf_demo"
        no_secrets(r.output)


def test_check_names_the_missing_variable(tmp_path: Path, config_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, ["api_key", "api_secret", "access_token"])
    cfg = write_config(tmp_path)
    r = run("accounts", "check", cfg, "nrf_x")
    assert r.exit_code == 1
    assert "CAMPAIGN_NRF_X_ACCESS_TOKEN_SECRET" in r.output
    assert "campaign accounts login" in r.output


def test_check_reports_a_revoked_token_and_a_read_only_app(tmp_path: Path, config_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, list(KEYS))
    with FakeX(keys=KEYS) as srv:
        cfg = write_config(tmp_path, srv.url)
        srv.revoked = True
        r = run("accounts", "check", cfg, "nrf_x")
        assert r.exit_code == 1 and "revoked" in r.output and "401" in r.output
        srv.revoked, srv.read_only_app = False, True
        r = run("accounts", "check", cfg, "nrf_x")
        assert r.exit_code == 1 and "regenerate the access token" in r.output
        no_secrets(r.output)


def test_check_unknown_account_lists_the_real_ones(tmp_path: Path, config_dir: Path) -> None:
    r = run("accounts", "check", write_config(tmp_path), "nope")
    assert r.exit_code == 2 and "nrf_x, local" in r.output


def test_login_writes_a_0600_file_and_check_uses_it(tmp_path: Path, config_dir: Path) -> None:
    with FakeX(keys=KEYS) as srv:
        cfg = write_config(tmp_path, srv.url)
        typed = "\n".join(KEYS[f] for f in ("api_key", "api_secret", "access_token", "access_token_secret"))
        r = run("accounts", "login", cfg, "nrf_x", input=typed + "\n")
        assert r.exit_code == 0, r.output
        no_secrets(r.output)  # hidden input is not echoed
        secrets = config_dir / "secrets.json"
        assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
        assert json.loads(secrets.read_text())["nrf_x"] == KEYS
        listing = run("accounts", cfg).output
        assert listing.count(f"secrets file {secrets}") == 4
        r = run("accounts", "check", cfg, "nrf_x")
        assert r.exit_code == 0 and "@nrf_demo" in r.output


def test_a_readable_secrets_file_is_refused(tmp_path: Path, config_dir: Path) -> None:
    cfg = write_config(tmp_path)
    config_dir.mkdir(parents=True)
    secrets = config_dir / "secrets.json"
    secrets.write_text(json.dumps({"nrf_x": KEYS}))
    os.chmod(secrets, 0o644)
    for args in (["accounts", cfg], ["accounts", "check", cfg, "nrf_x"]):
        r = run(*args)
        assert r.exit_code == 1
        assert "readable by other users" in r.output and f"chmod 600 {secrets}" in r.output
        no_secrets(r.output)
    r = run("accounts", "login", cfg, "nrf_x", input="a\nb\nc\nd\n")
    assert r.exit_code == 1 and "readable by other users" in r.output
    assert "api_key" not in r.output  # refused before prompting


def test_adapters_lists_built_ins_with_limits() -> None:
    r = run("adapters")
    assert r.exit_code == 0
    line = next(ln for ln in r.output.splitlines() if ln.startswith("x\t"))
    assert line.split("\t")[1:6] == ["built-in", "280", "4", "5000000", "1000"]
    data = {a["name"]: a for a in json.loads(run("adapters", "--json").output)["adapters"]}
    assert data["x"]["credential_fields"] == ["api_key", "api_secret", "access_token", "access_token_secret"]
    assert data["x"]["target"] == "campaign.publish.adapters.x:XAdapter"
