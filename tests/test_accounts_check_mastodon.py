"""`campaign accounts check` on Mastodon-API servers: the account as the server names it, a
warning when the YAML's `handle:` names someone else, a refused token worded as such."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.publish.accounts import same_handle
from tests.fakes.mastodon import TOKEN, FakeMastodon


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)


def config(tmp_path: Path, instance: str, handle: str) -> str:
    (tmp_path / "article.txt").write_text("“We will not stop,” he said.\n", encoding="utf-8")
    path = tmp_path / "campaign.yaml"
    path.write_text(f"""\
campaign:
  name: Check
article:
  source: article.txt
accounts:
  nrf_mastodon:
    platform: mastodon
    instance: {instance}
    handle: "{handle}"
""", encoding="utf-8")
    return str(path)


def check(cfg: str, *extra: str):
    return CliRunner().invoke(cli, ["accounts", "check", cfg, *extra], catch_exceptions=False)


def test_the_account_as_the_server_names_it(tmp_path):
    with FakeMastodon.takahe(acct="nrf", domain="social.example.org") as s:
        r = check(config(tmp_path, s.url, "@nrf@social.example.org"))
        assert r.exit_code == 0, r.output
        assert "nrf_mastodon: ok, posts to mastodon as @nrf@social.example.org" in r.output
        assert "warning" not in r.output


def test_a_handle_the_server_does_not_know_is_warned_about(tmp_path):
    with FakeMastodon(acct="campaigns", domain="social.example.org") as s:
        r = check(config(tmp_path, s.url, "@nrf@mastodon.social"))
        assert r.exit_code == 0, r.output
        assert ("warning: the config says handle: @nrf@mastodon.social, but mastodon names this "
                "account @campaigns@social.example.org") in r.output
        data = json.loads(check(config(tmp_path, s.url, "@nrf@mastodon.social"), "--json").output)
        assert "@campaigns@social.example.org" in data["accounts"][0]["warning"]


def test_a_refused_token_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", "not-the-token-99887766")
    with FakeMastodon.takahe() as s:
        r = check(config(tmp_path, s.url, "@nrf@127.0.0.1"))
        assert r.exit_code == 1
        assert "refused the access token while checking who the token belongs to" in r.output
        assert "refused the post" not in r.output and "not-the-token-99887766" not in r.output


def test_same_handle():
    assert same_handle("@NRF@Social.Example.org", "@nrf@social.example.org")
    assert same_handle("@nrf", "@nrf@social.example.org")
    assert not same_handle("@nrf@mastodon.social", "@nrf@social.example.org")
    assert not same_handle("@other", "@nrf@social.example.org")
    assert same_handle("@nrf_demo", "@nrf_demo")
