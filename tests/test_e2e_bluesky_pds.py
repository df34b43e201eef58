"""A real Bluesky PDS on loopback (@atproto/pds through @atproto/dev-env, see tests/pds/): a
campaign published through `campaign queue` and `campaign run`, the atproto client and our
adapter, then read back from the PDS record by record; the worker SIGKILLed after the PDS
created a post but before the worker heard, restarted, and no post duplicated. Also against
the real server: a wrong app password costs one login per run, `accounts check` proves the
password even with a session cached, and a handle that does not exist becomes the name.

The fakes (tests/fakes/bluesky.py) keep the faults a real server cannot be made to show; this
proves we agree with Bluesky's own code, not only with ourselves. It needs node and
`bash tests/pds/install.sh`: plain pytest skips it when they are missing, scripts/test and CI
(PDS_TEST_REQUIRED=1, CI=1) fail it.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign import tid
from campaign.cli import cli
from campaign.errors import AuthError, TransientError
from campaign.models import Draft
from campaign.platforms.bluesky import display_link
from campaign.publish.adapters.base import AdapterContext, create
from campaign.queue.sqlite import SqliteStore
from tests.helpers import past_example, run_once
from tests.pds import Pds, PdsFailed, PdsMissing, Proxy, required
from tests.pds import start as start_pds

POSTER, SPEAKER, SPARE = "nrf.test", "massoud.test", "spare.test"
GHOST = "loiseau.test"  # in `people:`, but no such account: posts must name her instead
ARTICLE = "https://example.org/news/nrf-leader-addresses-european-union"


_unavailable: list[tuple[bool, str]] = []  # (skip?, why): tried once per session, not per test


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    """One PDS (and PLC) for the session, killed at the end."""
    if not _unavailable:
        try:
            server = start_pds(tmp_path_factory.mktemp("pds"), [POSTER, SPEAKER, SPARE])
        except PdsMissing as e:
            _unavailable.append((not required(), f"no real PDS: {e}" if not required() else
                                 f"the real-PDS test must run here but cannot: {e}"))
        except PdsFailed as e:
            _unavailable.append((False, str(e)))
    if _unavailable:
        skip, why = _unavailable[0]
        if skip:
            pytest.skip(why)
        pytest.fail(why, pytrace=False)
    print(f"\nPDS {server.versions} started in {server.seconds:.1f} s at {server.url}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def proxy(pds: Pds) -> Iterator[Proxy]:
    with Proxy(pds.url) as p:
        yield p


@pytest.fixture(autouse=True)
def _private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own secrets file and state folder (the cached sessions)."""
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


# --- the campaign, published and read back ---------------------------------------------------


def _campaign(tmp_path: Path, service: str) -> Path:
    def edit(data: dict) -> None:
        data["accounts"] = {"nrf_bluesky": {"platform": "bluesky", "service": service,
                                            "handle": "@" + POSTER}}
        people = data["posts"]["people"]
        people["Ahmad Massoud"]["bluesky"] = "@" + SPEAKER
        people["Nathalie Loiseau"]["bluesky"] = "@" + GHOST
        long = " ".join(["We did not choose this war, and we will not abandon the people of "
                         "Afghanistan to it."] * 6)  # over 300 graphemes: a thread
        data["highlights"]["auto"]["count"] = 3
        data["highlights"]["extra"] = [
            {"text": long, "speaker": "Ahmad Massoud"},
            {"text": "Europe must never legitimise a regime that erases women from public life.",
             "speaker": "Nathalie Loiseau"},
        ]

    return past_example(tmp_path, edit)


def _sliced(text: str, facet: dict) -> str:
    i = facet["index"]
    return text.encode()[i["byteStart"]:i["byteEnd"]].decode()


def test_a_campaign_on_a_real_pds_once_even_after_sigkill(pds, proxy, tmp_path, monkeypatch):
    poster, speaker = pds.accounts[POSTER], pds.accounts[SPEAKER]
    guarded = len(pds.guard_reports())
    db = tmp_path / "queue.sqlite3"
    monkeypatch.setenv("CAMPAIGN_DB", str(db))
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", poster.app_password)
    cfg = _campaign(tmp_path, proxy.url)
    monkeypatch.chdir(tmp_path)  # `queue` renders the cards under ./campaign-out
    r = CliRunner().invoke(cli, ["queue", str(cfg)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    # a real account: nothing goes out until a reviewer signs off
    posted = len(pds.records(poster.did))
    assert "pending" in run_once(dict(os.environ)).communicate(timeout=180)[0]
    assert len(pds.records(poster.did)) == posted
    r = CliRunner().invoke(cli, ["approve", "--campaign", "nrf-strasbourg", "--all", "--now",
                                   "--as", "press"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    env = dict(os.environ)

    # killed once the PDS has created a thread's second part, before the worker heard of it
    proxy.hold_next(lambda record: bool(record.get("reply")))
    first = run_once(env)
    assert proxy.held.wait(90), "the worker never posted a thread's second part"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    proxy.release.set()
    before = len(pds.records(poster.did))
    # restarted: the held part is found by its record key, the rest goes out
    last = run_once(env)
    out, _ = last.communicate(timeout=180)
    assert last.returncode == 0, out

    store = SqliteStore(db)
    try:
        jobs = store.jobs()
        found = [j for j in jobs if any((e.detail or "").startswith("found by reconciling")
                                        for e in store.events(j.id))]
    finally:
        store.close()
    # the part the PDS created while the worker died was found by its key, not sent again
    assert len(found) == 1 and found[0].part > 0, [(j.id, j.part) for j in found]
    assert {j.status for j in jobs} == {"succeeded"}, [(j.id, j.status, j.last_error) for j in jobs]
    records = pds.records(poster.did)
    by_rkey = {rec["uri"].rsplit("/", 1)[1]: rec for rec in records}
    assert len(records) == len(jobs) > before > 0  # each post once: none lost, none twice
    assert set(by_rkey) == {j.idempotency_key for j in jobs}
    assert all(tid.is_valid(k) for k in by_rkey)
    assert len(proxy.received("POST", r"createRecord$")) == len(jobs)  # the held one not re-sent
    # each record was checked against the app.bsky.feed.post lexicon by the PDS as it was created
    assert all(r.json()["validate"] is True for r in proxy.received("POST", r"createRecord$"))
    assert [a.get("validationStatus") for a in proxy.created] == ["valid"] * len(jobs)
    assert len(proxy.received("POST", r"createSession$")) == 1  # one login, two processes

    mentions = ghosts = links = tags = images = 0
    threads: dict[str, list] = {}
    for j in jobs:
        rec = by_rkey[j.idempotency_key]
        value = rec["value"]
        assert rec["uri"] == j.remote_id and value["$type"] == "app.bsky.feed.post"
        assert value["langs"] == ["en"]
        # the text as composed, byte for byte, except a handle that does not exist: the name
        expected = j.draft.text.replace("@" + GHOST, "Nathalie Loiseau")
        assert value["text"].encode() == expected.encode()
        ghosts += ("@" + GHOST) in j.draft.text
        for facet in value.get("facets", []):
            (feature,) = facet["features"]
            shown = _sliced(value["text"], facet)
            kind = feature["$type"].rsplit("#", 1)[1]
            if kind == "link":
                assert feature["uri"].startswith(ARTICLE) and "utm_source=bluesky" in feature["uri"]
                assert shown == display_link(feature["uri"]) and j.draft.link == feature["uri"]
                links += 1
            elif kind == "tag":
                assert shown == "#" + feature["tag"]
                tags += 1
            else:
                assert kind == "mention" and shown == "@" + SPEAKER and feature["did"] == speaker.did
                mentions += 1
        assert value["text"].count("#") == sum(1 for f in value.get("facets", [])
                                               if f["features"][0]["$type"].endswith("#tag"))
        embed = value.get("embed")
        if j.draft.media:
            assert embed["$type"] == "app.bsky.embed.images"
            assert len(embed["images"]) == len(j.draft.media)
            for img, m in zip(embed["images"], j.draft.media, strict=True):
                assert img["alt"] == m.alt and m.alt
                assert (img["aspectRatio"]["width"], img["aspectRatio"]["height"]) == (m.width, m.height)
                assert img["image"]["mimeType"] == "image/png"
                data = pds.blob(poster.did, img["image"]["ref"]["$link"])
                assert data == Path(m.path).read_bytes() and len(data) <= 1_000_000
                images += 1
        elif display_link(j.draft.link or "-") in value["text"]:  # a link card, with no image
            assert embed["$type"] == "app.bsky.embed.external" and embed["external"]["uri"] == j.draft.link
        else:  # a later part of a thread: the link and card are on the first
            assert embed is None
        threads.setdefault(j.highlight_id, []).append((j.part, rec))
    assert mentions >= 1 and ghosts >= 1 and links >= 1 and tags >= 2 and images >= 1
    assert not any("@" + GHOST in rec["value"]["text"] for rec in records)

    # reply refs: every part's parent is the part before, its root the first part
    replies = 0
    for parts in threads.values():
        recs = [rec for _, rec in sorted(parts, key=lambda p: p[0])]
        assert "reply" not in recs[0]["value"]
        for prev, rec in zip(recs, recs[1:], strict=False):
            reply = rec["value"]["reply"]
            assert (reply["parent"]["uri"], reply["parent"]["cid"]) == (prev["uri"], prev["cid"])
            assert (reply["root"]["uri"], reply["root"]["cid"]) == (recs[0]["uri"], recs[0]["cid"])
            replies += 1
    assert replies >= 2
    assert pds.guard_reports()[guarded:] == []  # the PDS tried nothing beyond loopback


# --- logins ----------------------------------------------------------------------------------


def _adapter(service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password: str):
    monkeypatch.setenv("CAMPAIGN_SPARE_APP_PASSWORD", password)
    ctx = AdapterContext(account="spare", platform="bluesky",
                         settings={"platform": "bluesky", "service": service, "handle": "@" + SPARE},
                         language="en", state_dir=tmp_path / "state", timeout=10)
    return create(ctx)


_n = 0


def _key() -> str:
    global _n
    _n += 1
    return tid.mint(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=_n), clock_id=11)


def _draft(text: str) -> Draft:
    return Draft("h1", "spare", "bluesky", (text,), (len(text),), 300, link=None)


def test_a_wrong_app_password_costs_one_login_on_a_real_pds(pds, proxy, tmp_path, monkeypatch):
    a = _adapter(proxy.url, tmp_path, monkeypatch, "aaaa-bbbb-cccc-dddd")
    with pytest.raises(AuthError, match="Invalid identifier or password"):
        a.publish(_draft("one"), key=_key(), reply_to=None)
    for _ in range(4):
        with pytest.raises(TransientError, match="held back"):
            a.publish(_draft("two"), key=_key(), reply_to=None)
    assert len(proxy.received("POST", r"createSession$")) == 1
    assert not proxy.received("POST", r"createRecord$")


def test_accounts_check_proves_the_app_password_on_a_real_pds(pds, proxy, tmp_path, monkeypatch):
    spare = pds.accounts[SPARE]
    a = _adapter(proxy.url, tmp_path, monkeypatch, spare.app_password)
    ref = a.publish(_draft("A session is cached after this post."), key=_key(), reply_to=None)
    assert ref.id.startswith(f"at://{spare.did}/")
    # the app password is now wrong (mistyped in `accounts login`), the cached session still works
    with pytest.raises(AuthError, match="Invalid identifier or password"):
        _adapter(proxy.url, tmp_path, monkeypatch, "aaaa-bbbb-cccc-dddd").check()
    info = _adapter(proxy.url, tmp_path, monkeypatch, spare.app_password).check()
    assert info.handle == "@" + SPARE
    assert len(proxy.received("POST", r"createSession$")) == 3
    records = pds.records(spare.did)
    assert [r["value"]["text"] for r in records] == ["A session is cached after this post."]
    assert json.dumps(records).count(spare.app_password) == 0


def test_the_pds_cannot_reach_beyond_loopback(pds):
    """A handle outside `.test` would send the PDS to its (unreachable, `.invalid`) AppView: the
    guard in tests/pds/pds.js refuses the connection and reports it."""
    import urllib.error

    before = len(pds.guard_reports())
    with pytest.raises(urllib.error.HTTPError) as e:
        pds.get("com.atproto.identity.resolveHandle", handle="someone.bsky.social")
    assert e.value.code == 400
    assert any("appview.invalid" in line for line in pds.guard_reports()[before:])
    assert pds.url.startswith("http://127.0.0.1:")

