"""`campaign report` against a real Bluesky PDS (@atproto/dev-env, tests/pds/): a post published
by our adapter, liked from a second account with the atproto client, then read by the report.

Two networks. With an AppView (dev-env's `TestNetwork`: the PDS, a PLC, an AppView and the
Ozone it starts, on the test PostgreSQL of tests/pg and a private `redis-server` on loopback),
`app.bsky.feed.getPosts` answers and the report must show the like. The suite's usual network
(`TestNetworkNoAppView`) has none: the PDS forwards `app.bsky.*` reads to `appview.invalid` and
answers 502 UpstreamFailure, so the report must name the Bluesky account, say that no AppView
answered, still print, and exit 1 (nothing could be read). Without node and the dev-env install
both skip (CI fails them, as tests/test_e2e_bluesky_pds.py); without PostgreSQL or redis-server
the AppView one skips (scripts/test installs redis-server; with PDS_TEST_REQUIRED or
PG_TEST_REQUIRED it fails instead).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from campaign import tid
from campaign.cli import cli
from campaign.models import Draft, PlannedPost, RemoteRef
from campaign.publish.adapters.base import AdapterContext, create
from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.sqlite import SqliteStore
from tests import pg
from tests.pds import Pds, PdsFailed, PdsMissing, required
from tests.pds import start as start_pds

POSTER, FAN = "nrf.test", "fan.test"


def _start(folder: Path, appview: dict[str, str] | None = None) -> Pds:
    try:
        return start_pds(folder, [POSTER, FAN], appview=appview)
    except PdsMissing as e:
        if not required():
            pytest.skip(f"no real PDS: {e}")
        pytest.fail(f"the real-PDS test must run here but cannot: {e}", pytrace=False)
    except PdsFailed as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    server = _start(tmp_path_factory.mktemp("pds-report"))
    try:
        yield server
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on loopback, no persistence; its HOST:PORT."""
    binary = shutil.which("redis-server")
    if binary is None:
        why = "redis-server is not installed (the AppView of dev-env needs it: apt-get install redis-server)"
        if required():
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"redis-server did not start on 127.0.0.1:{port}", pytrace=False)
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def pds_appview(tmp_path_factory: pytest.TempPathFactory, redis: str) -> Iterator[Pds]:
    dsn = pg.require()
    import uuid

    schema = "report_" + "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:12])  # letters only
    server = _start(tmp_path_factory.mktemp("pds-appview"), {"postgres": dsn, "schema": schema, "redis": redis})
    try:
        yield server
    finally:
        server.stop()
        for name in (schema, f"appview_{schema}", f"ozone_{schema}"):  # what dev-env created
            pg.drop_schema(name)


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def publish_and_like(pds: Pds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, RemoteRef]:
    """Publish one post as POSTER with our adapter, like it as FAN, and queue it as sent in a
    SQLite queue; the queue's path and the post's ref."""
    from atproto import Client

    poster = pds.accounts[POSTER]
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", poster.app_password)
    settings: dict[str, Any] = {"platform": "bluesky", "service": pds.url, "handle": "@" + POSTER}
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
    return db, ref


def report(db: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    r = CliRunner().invoke(cli, ["report", "--db", str(db), "--json", *extra], catch_exceptions=False)
    return r.exit_code, json.loads(r.stdout), r.stderr


def test_the_like_shows_in_the_report_with_a_real_appview(pds_appview: Pds, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db, ref = publish_and_like(pds_appview, tmp_path, monkeypatch)
    deadline = time.monotonic() + 30  # the AppView indexes the PDS's firehose as it comes
    while True:
        code, data, err = report(db, "--refresh")
        assert code == 0 and err == "", err
        if data["totals"]["likes"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert data["totals"]["likes"] == 1, data
    (post,) = data["posts"]
    assert (post["url"], post["likes"], post["reposts"], post["replies"], post["quotes"]) == (ref.url, 1, 0, 0, 0)
    assert data["highlights"][0]["likes"] == 1 and data["simulated"] is False
    assert not pds_appview.guard_reports()


def test_without_an_appview_the_report_names_the_account_and_still_prints(pds: Pds, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = publish_and_like(pds, tmp_path, monkeypatch)
    code, data, err = report(db)
    assert code == 1
    assert "bluesky account nrf_bluesky: 1 post(s) not read" in err
    assert "no AppView answered" in err and "UpstreamFailure" in err and "Traceback" not in err
    assert data["totals"]["posts"] == 1 and data["totals"]["unread"] == 1
    # the PDS forwarded getPosts to the AppView it is configured with (`appview.invalid`, which
    # does not exist): the network guard refused that, and nothing else
    assert all("appview.invalid" in line for line in pds.guard_reports())
