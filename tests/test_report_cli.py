"""`campaign report`: the example built on the outbox (simulated figures, labelled everywhere), and
real adapters against the loopback fakes (a platform down is named, the rest still prints)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.models import Draft, PlannedPost, RemoteRef
from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.sqlite import SqliteStore
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.fakes.x import FakeX

REPO = Path(__file__).resolve().parent.parent
X_KEYS = {"api_key": "ckXq81ZpLr0aWvY3nB7t", "api_secret": "csSuperSecretValue9Jk2LmNoPq4RsTuVwXyZ",
          "access_token": "1402938475610001-AtokQw3Er5Ty7Ui9Op1As",
          "access_token_secret": "atsAnotherSecretVal5Hj7Kl9Zx1Cv3Bn5Mq"}


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_build_then_report_the_example_on_the_outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CAMPAIGN_DB", raising=False)
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    config = str(tmp_path / "configs" / "example.yaml")
    code, _, err = run("build", config)
    assert code == 0, err
    code, out, err = run("report", config, "--chart", str(tmp_path / "chart.png"), "--csv", str(tmp_path / "r.csv"))
    assert code == 0, err
    assert "(nrf-strasbourg): 18 posts" in out and "note: simulated figures" in out
    assert "# Per quote (simulated)" in out and "Ahmad Massoud" in out and "read 18 of 18 posts now" in out
    assert "# Per day of publication (Europe/Paris) (simulated)" in out
    assert "# Top posts (simulated)" in out and "campaign-out/nrf-strasbourg/outbox/nrf_" in out
    assert (tmp_path / "chart.png").stat().st_size > 20_000
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8")))
    assert len(rows) == 18 and all(r["simulated"] == "True" for r in rows)
    code, out, _ = run("report", config, "--json")  # read a minute ago: the stored figures
    data = json.loads(out)
    assert code == 0 and data["simulated"] is True and data["fetch"]["skipped"] == 18
    assert len(data["highlights"]) == 6 and all(h["speaker"] != "" for h in data["highlights"])
    # each quote under the speaker the article gives it; the key sentence under none
    assert {h["speaker"] for h in data["highlights"]} == {"Ahmad Massoud", "Nathalie Loiseau",
                                                          "French conservative party", None}
    assert {p["platform"] for p in data["platforms"]} == {"x", "mastodon", "bluesky"}
    code, out, _ = run("report", config, "--csv", "-", "--refresh")
    assert code == 0 and list(csv.DictReader(io.StringIO(out)))[0]["simulated"] == "True"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)
    for name, value in X_KEYS.items():
        monkeypatch.setenv(f"CAMPAIGN_NRF_X_{name.upper()}", value)


def test_real_adapters_a_platform_down_is_named_and_all_down_exits_1(tmp_path: Path, env: None) -> None:
    from campaign.publish.adapters.base import AdapterContext
    from campaign.publish.adapters.mastodon import MastodonAdapter

    with FakeMastodon() as masto, FakeX(keys=X_KEYS) as x:
        accounts = {"nrf_mastodon": {"platform": "mastodon", "instance": masto.url},
                    "nrf_x": {"platform": "x", "api_base": x.url}}
        m = MastodonAdapter(AdapterContext("nrf_mastodon", "mastodon", accounts["nrf_mastodon"],
                                           state_dir=tmp_path / "st"))
        status = m.publish(Draft("h1", "nrf_mastodon", "mastodon", ("“We will resist.” — Ahmad Massoud",), (30,), 500),
                           key="k1", reply_to=None)
        masto.engage(status.id, favourites=11, reblogs=3, replies=1)
        x.add_posts(["“We will resist.” — Ahmad Massoud"])
        x.engage(x.posts[0].id, likes=40, retweets=9, replies=2, quotes=1)
        refs = {"nrf_mastodon": status, "nrf_x": RemoteRef(x.posts[0].id, f"https://x.com/nrf_demo/status/{x.posts[0].id}")}
        db = tmp_path / "q.sqlite3"
        store = SqliteStore(db)
        from datetime import UTC, datetime

        now = datetime.now(UTC)
        record = CampaignRecord("camp", "Camp", "UTC", "en", str(tmp_path), None, accounts, now)
        enqueue_plan(store, record, [PlannedPost(Draft("h1", a, accounts[a]["platform"], ("“We will resist.” — Ahmad Massoud",),
                                                       (30,), 500), 0, now, "UTC") for a in accounts], now=now)
        while (c := store.claim("w", now=now)) is not None:
            store.succeed(c.job.id, "w", refs[c.job.account], now=now)
        store.close()
        masto.down = True
        code, out, err = run("report", "--db", str(db))
        assert code == 0
        assert "warning: mastodon account nrf_mastodon: 1 post(s) not read" in err and "503" in err
        assert "Camp (camp): 2 posts, 40 likes, 9 reposts, 2 replies, 1 quotes; 1 not read yet" in out
        assert "simulated" not in out
        x.down = True
        code, out, err = run("report", "--db", str(db), "--campaign", "camp", "--refresh", "--json")
        assert code == 1 and "x account nrf_x" in err
        assert json.loads(out)["totals"]["likes"] == 40  # the stored figures still print
        masto.down = x.down = False
        code, out, err = run("report", "--db", str(db), "--refresh", "--json")
        data = json.loads(out)
        assert code == 0 and data["totals"]["likes"] == 51 and data["simulated"] is False and err == ""
        assert data["highlights"][0]["speaker"] == "Ahmad Massoud" and data["highlights"][0]["posts"] == 2


def test_report_names_what_is_missing(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    SqliteStore(db).close()
    code, _, err = run("report", "--db", str(db))
    assert code != 0 and "holds 0 campaigns" in err and "Traceback" not in err
    code, _, err = run("report", "--db", str(db), "--campaign", "nope")
    assert code != 0 and "campaign 'nope' is not in" in err
