"""The example campaign, end to end, through `campaign queue` and `campaign run` to fake
Mastodon and Bluesky servers, with the worker killed twice while a post is in flight.

Each kill happens while the server holds a post it has received: the post lands after
the worker died, unacknowledged. The restarted worker must find it (Bluesky getRecord
by rkey, Mastodon by text) instead of posting it again, then finish the threads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from tests.fakes.bluesky import APP_PASSWORD, FakeBluesky
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.helpers import past_example, run_once


@pytest.fixture
def servers():
    with FakeMastodon(acct="nrf") as m, FakeBluesky() as b:
        yield m, b


def _campaign(tmp_path: Path, m: FakeMastodon, b: FakeBluesky) -> Path:
    def edit(data: dict) -> None:
        data["accounts"] = {
            "nrf_mastodon": {"platform": "mastodon", "instance": m.url, "handle": "@nrf@mastodon.example",
                             "visibility": "unlisted"},
            "nrf_bluesky": {"platform": "bluesky", "service": b.url, "handle": "@nrf-demo.bsky.social"},
        }
        # a long extra quote makes a thread on both platforms (over 500 and over 300 characters)
        long = " ".join(["We did not choose this war, and we will not abandon the people of Afghanistan to it."] * 8)
        data["highlights"]["extra"] = [{"text": long, "speaker": "Ahmad Massoud"}]
        data["review"] = "off"  # publishing paths under test; review has tests of its own

    return past_example(tmp_path, edit)


def _kill_when_held(proc: subprocess.Popen[str], server: FakeMastodon | FakeBluesky) -> None:
    assert server.held.wait(60), "the worker never sent the post to hold"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    server.release.set()  # the post lands now, with nobody to hear the answer


def _jobs(db: Path) -> list[dict]:
    r = CliRunner().invoke(cli, ["jobs", "--db", str(db), "--json"], catch_exceptions=False)
    return json.loads(r.output)


def test_example_campaign_survives_crashes_mid_thread(servers, tmp_path, monkeypatch):
    m, b = servers
    db = tmp_path / "queue.sqlite3"
    monkeypatch.setenv("CAMPAIGN_DB", str(db))
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    cfg = _campaign(tmp_path, m, b)
    monkeypatch.chdir(tmp_path)  # `queue` renders the cards under ./campaign-out
    r = CliRunner().invoke(cli, ["queue", str(cfg)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    jobs = _jobs(db)
    by_platform = {p: [j for j in jobs if j["platform"] == p] for p in ("mastodon", "bluesky")}
    assert all(any(j["parts"] > 1 for j in js) for js in by_platform.values())
    env = dict(os.environ)

    # 1. killed while Mastodon holds the second part of a thread
    m.hold_next(lambda form: bool(form.get("in_reply_to_id")))
    _kill_when_held(run_once(env), m)
    # 2. restarted (the held part is found, not re-sent), then killed while Bluesky holds
    #    the third part of a thread (parent and root differ)
    b.hold_next(lambda rec: bool(rec.get("reply")) and rec["reply"]["parent"] != rec["reply"]["root"])
    _kill_when_held(run_once(env), b)
    # 3. restarted to the end
    last = run_once(env)
    out, _ = last.communicate(timeout=120)
    assert last.returncode == 0, out

    jobs = _jobs(db)
    assert {j["status"] for j in jobs} == {"succeeded"}, [(j["id"], j["status"], j["last_error"]) for j in jobs]

    # every post exactly once on each server
    masto_jobs = [j for j in jobs if j["platform"] == "mastodon"]
    statuses = m.posted()
    assert len(statuses) == len(masto_jobs)
    assert sorted(s.idempotency_key or "" for s in statuses) == sorted(j["idempotency_key"] for j in masto_jobs)
    assert {s.id for s in statuses} == {j["remote_id"] for j in masto_jobs}
    assert all(s.visibility == "unlisted" for s in statuses)
    bsky_jobs = [j for j in jobs if j["platform"] == "bluesky"]
    assert sorted(b.records) == sorted(j["idempotency_key"] for j in bsky_jobs)
    assert len(b.records) == len(bsky_jobs)
    full_links = 0
    for j in bsky_jobs:
        rec = b.records[j["idempotency_key"]]
        assert rec.text == j["text"] and j["remote_id"] == rec.uri
        for f in rec.facets:  # links open the full tracked URL, whatever the text shows
            for feature in f["features"]:
                if feature["$type"].endswith("#link"):
                    assert feature["uri"].startswith("https://example.org/news/") and "utm_source=bluesky" in feature["uri"]
                    full_links += 1
        if j["media"]:
            assert rec.embed["$type"] == "app.bsky.embed.images"
            assert all(img["alt"] for img in rec.embed["images"])
    assert full_links >= len({j["highlight_id"] for j in bsky_jobs})
    assert all(len(blob.data) <= 1_000_000 for blob in b.blobs.values())
    assert all(md.description for md in m.media.values())

    # reply chains intact: part n replies to part n-1, every part's root is part 0
    threads: dict[str, list[dict]] = {}
    for j in bsky_jobs:
        threads.setdefault(j["highlight_id"], []).append(j)
    checked = 0
    for parts in threads.values():
        parts.sort(key=lambda j: j["part"])
        recs = [b.records[j["idempotency_key"]] for j in parts]
        assert recs[0].reply is None
        for prev, rec in zip(recs, recs[1:], strict=False):
            assert rec.reply["parent"] == {"$type": "com.atproto.repo.strongRef", "uri": prev.uri, "cid": prev.cid}
            assert rec.reply["root"]["uri"] == recs[0].uri and rec.reply["root"]["cid"] == recs[0].cid
            checked += 1
    assert checked >= 1
    ids = {(j["highlight_id"], j["part"]): j["remote_id"] for j in masto_jobs}
    by_id = {s.id: s for s in statuses}
    for j in masto_jobs:
        expected = ids[(j["highlight_id"], j["part"] - 1)] if j["part"] else None
        assert by_id[j["remote_id"]].in_reply_to_id == expected
        assert not by_id[j["remote_id"]].text.startswith("@")
    assert len(m.received("POST", r"^/api/v1/statuses$")) == len(masto_jobs)

    # one login across three worker processes: the session was reused
    assert b.create_sessions == 1
    # the held posts were found, not sent again
    assert len(b.received("POST", r"createRecord$")) == len(bsky_jobs)
