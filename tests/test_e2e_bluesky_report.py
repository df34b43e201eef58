"""`campaign report` against a real Bluesky PDS (@atproto/dev-env, tests/pds/): a post published
by our adapter, liked from a second account with the atproto client, then read by the report.

The dev-env network the suite runs (`TestNetworkNoAppView`) has a PDS and a PLC but no AppView
(the PDS forwards `app.bsky.*` reads to `appview.invalid` and answers 502 UpstreamFailure), and
`app.bsky.feed.getPosts`, where like counts come from, is answered by an AppView. So against this
server the report must name the Bluesky account and say that no AppView answered, print the rest,
and exit 1 (nothing could be read); the like itself is checked in the liker's repository.
Reading the count (`likeCount == 1`) runs only when the PDS answers getPosts (a network with an
AppView); the fakes (tests/fakes/bluesky.py, test_report_adapters.py) cover the counts otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.error import HTTPError

import pytest
from click.testing import CliRunner

from campaign import tid
from campaign.cli import cli
from campaign.models import Draft, PlannedPost
from campaign.publish.adapters.base import AdapterContext, create
from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.sqlite import SqliteStore
from tests.pds import Pds, PdsFailed, PdsMissing, required
from tests.pds import start as start_pds

POSTER, FAN = "nrf.test", "fan.test"


@pytest.fixture(scope="module")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    try:
        server = start_pds(tmp_path_factory.mktemp("pds-report"), [POSTER, FAN])
    except PdsMissing as e:
        if not required():
            pytest.skip(f"no real PDS: {e}")
        pytest.fail(f"the real-PDS test must run here but cannot: {e}", pytrace=False)
    except PdsFailed as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def _answers_get_posts(pds: Pds, uri: str) -> bool:
    """Does this network have an AppView behind the PDS (getPosts answered)?"""
    from atproto import Client

    fan = pds.accounts[FAN]
    client = Client(base_url=pds.url)
    client.login(fan.handle, fan.app_password, fetch_bsky_profile=False)
    try:
        client.app.bsky.feed.get_posts({"uris": [uri]})
    except Exception:
        return False
    return True


def test_a_like_from_a_second_account_and_the_report_on_a_real_pds(pds: Pds, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from atproto import Client

    poster = pds.accounts[POSTER]
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", poster.app_password)
    settings = {"platform": "bluesky", "service": pds.url, "handle": "@" + POSTER}
    adapter = create(AdapterContext("nrf_bluesky", "bluesky", settings, state_dir=tmp_path / "state"))
    text = "“We will resist until Afghanistan is free.” — Ahmad Massoud"
    d = Draft("h1", "nrf_bluesky", "bluesky", (text,), (len(text),), 300)
    ref = adapter.publish(d, key=tid.mint(datetime.now(UTC)), reply_to=None)

    fan = pds.accounts[FAN]
    liker = Client(base_url=pds.url)
    liker.login(fan.handle, fan.app_password, fetch_bsky_profile=False)  # the profile is the AppView's
    liker.com.atproto.repo.create_record({"repo": fan.did, "collection": "app.bsky.feed.like", "record": {
        "$type": "app.bsky.feed.like", "subject": {"uri": ref.extra["uri"], "cid": ref.extra["cid"]},
        "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z")}})
    likes = pds.records(fan.did, "app.bsky.feed.like")
    assert [r["value"]["subject"]["uri"] for r in likes] == [ref.extra["uri"]]  # the like is on the PDS

    db = tmp_path / "q.sqlite3"
    store = SqliteStore(db)
    now = datetime.now(UTC)
    record = CampaignRecord("camp", "Camp", "UTC", "en", str(tmp_path), None, {"nrf_bluesky": settings}, now)
    enqueue_plan(store, record, [PlannedPost(d, 0, now, "UTC")], now=now)
    claim = store.claim("w", now=now)
    assert claim is not None
    store.succeed(claim.job.id, "w", ref, now=now)
    store.close()

    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    if _answers_get_posts(pds, ref.extra["uri"]):  # a network with an AppView
        assert result.exit_code == 0, result.stderr
        assert data["totals"]["likes"] == 1 and data["highlights"][0]["likes"] == 1
        assert data["simulated"] is False
    else:
        assert result.exit_code == 1
        assert "bluesky account nrf_bluesky: 1 post(s) not read" in result.stderr
        assert "no AppView" in result.stderr and "Traceback" not in result.stderr
        assert data["totals"]["posts"] == 1 and data["totals"]["unread"] == 1
        with pytest.raises(HTTPError):  # what the report met: the PDS itself cannot answer getPosts
            pds.get("app.bsky.feed.getPosts", uris=ref.extra["uri"])
    # the PDS forwarded getPosts to the AppView it is configured with (`appview.invalid`, which
    # does not exist): the network guard refused that, and nothing else
    assert all("appview.invalid" in line for line in pds.guard_reports())
