"""The adapters' `metrics` capability: the real SDKs over real HTTP against the loopback fakes
(counts, batching, deleted posts, rate limits, a platform down, an X tier that cannot read)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign import tid
from campaign.errors import AdapterError, RateLimitedError, TransientError
from campaign.models import Draft, Metrics, RemoteRef
from campaign.publish.adapters.base import AdapterContext
from campaign.publish.adapters.bluesky import BlueskyAdapter
from campaign.publish.adapters.mastodon import MastodonAdapter
from campaign.publish.adapters.metrics import simulated
from campaign.publish.adapters.outbox import OutboxAdapter
from campaign.publish.adapters.x import XAdapter
from tests.fakes.bluesky import APP_PASSWORD, HANDLE, FakeBluesky
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.fakes.x import FakeX

X_KEYS = {"api_key": "ckXq81ZpLr0aWvY3nB7t", "api_secret": "csSuperSecretValue9Jk2LmNoPq4RsTuVwXyZ",
          "access_token": "1402938475610001-AtokQw3Er5Ty7Ui9Op1As",
          "access_token_secret": "atsAnotherSecretVal5Hj7Kl9Zx1Cv3Bn5Mq"}
T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    for name, value in X_KEYS.items():
        monkeypatch.setenv(f"CAMPAIGN_NRF_X_{name.upper()}", value)


def ctx(tmp_path: Path, account: str, platform: str, **settings: object) -> AdapterContext:
    return AdapterContext(account=account, platform=platform, settings={"platform": platform, **settings},
                          state_dir=tmp_path / "state" / account, base_dir=tmp_path, timeout=5.0)


def draft(text: str, platform: str, account: str) -> Draft:
    return Draft("h1", account, platform, (text,), (len(text),), 500, link=None)


# --- Mastodon ------------------------------------------------------------------------------


def test_mastodon_metrics_20_statuses_a_call_and_a_deleted_one_is_gone(tmp_path: Path) -> None:
    with FakeMastodon() as srv:
        a = MastodonAdapter(ctx(tmp_path, "nrf_mastodon", "mastodon", instance=srv.url))
        refs = [a.publish(draft(f"post {i}", "mastodon", "nrf_mastodon"), key=f"k{i}", reply_to=None)
                for i in range(25)]
        srv.engage(refs[0].id, favourites=12, reblogs=4, replies=2)
        srv.engage(refs[24].id, favourites=1)
        srv.delete(refs[2].id)
        got = a.metrics(refs)
        calls = srv.received("GET", r"^/api/v1/statuses$")
        singles = srv.received("GET", r"^/api/v1/statuses/\d+$")
    assert [len(c.query["id[]"]) for c in calls] == [20, 5] and not singles
    assert got[refs[0].id] == Metrics(12, 4, 2) and got[refs[24].id] == Metrics(1, 0, 0)
    assert got[refs[2].id] == Metrics(gone=True) and sum(m.gone for m in got.values()) == 1
    assert got[refs[0].id].quotes is None  # Mastodon counts no quotes


def test_mastodon_metrics_one_by_one_on_a_server_without_the_batch(tmp_path: Path) -> None:
    with FakeMastodon.takahe() as srv:
        a = MastodonAdapter(ctx(tmp_path, "nrf_mastodon", "mastodon", instance=srv.url))
        refs = [a.publish(draft(f"post {i}", "mastodon", "nrf_mastodon"), key=f"k{i}", reply_to=None)
                for i in range(3)]
        srv.engage(refs[1].id, favourites=5, reblogs=1)
        srv.delete(refs[2].id)
        got = a.metrics(refs)
        assert a.metrics(refs) == got
        batches = srv.received("GET", r"^/api/v1/statuses$")
        singles = srv.received("GET", r"^/api/v1/statuses/\d+$")
    assert len(batches) == 1 and len(singles) == 6  # asked once, then one by one
    assert got == {refs[0].id: Metrics(0, 0, 0), refs[1].id: Metrics(5, 1, 0), refs[2].id: Metrics(gone=True)}


def test_mastodon_metrics_rate_limit_and_down(tmp_path: Path) -> None:
    with FakeMastodon() as srv:
        a = MastodonAdapter(ctx(tmp_path, "nrf_mastodon", "mastodon", instance=srv.url))
        ref = a.publish(draft("post", "mastodon", "nrf_mastodon"), key="k1", reply_to=None)
        srv.rate_limit_next(r"GET /api/v1/statuses$", seconds=120)
        with pytest.raises(RateLimitedError) as e:
            a.metrics([ref])
        assert 100 <= e.value.retry_after <= 121 and e.value.account == "nrf_mastodon"
        srv.down = True
        with pytest.raises(TransientError, match="503"):
            a.metrics([ref])


# --- Bluesky -------------------------------------------------------------------------------


def bsky(srv: FakeBluesky, tmp_path: Path) -> BlueskyAdapter:
    return BlueskyAdapter(ctx(tmp_path, "nrf_bluesky", "bluesky", service=srv.url, handle="@" + HANDLE))


def bsky_refs(srv: FakeBluesky, n: int) -> list[RemoteRef]:
    """`n` posts made straight in the fake PDS (publishing each through the SDK is slower)."""
    from tests.fakes.bluesky import PostRecord, fake_cid

    refs = []
    for i in range(n):
        rkey = tid.mint(T0 + timedelta(seconds=i), clock_id=3)
        uri = f"at://{srv.did}/app.bsky.feed.post/{rkey}"
        srv.records[rkey] = PostRecord(rkey, uri, fake_cid(uri.encode()), {"$type": "app.bsky.feed.post",
                                                                           "text": f"post {i}",
                                                                           "createdAt": "2026-03-01T00:00:00Z"})
        refs.append(RemoteRef(uri, None, {"uri": uri}))
    return refs


def test_bluesky_metrics_25_uris_a_call_with_counts_and_gone(tmp_path: Path) -> None:
    with FakeBluesky() as srv:
        refs = bsky_refs(srv, 60)
        srv.engage(refs[0].id, likes=9, reposts=3, replies=2, quotes=1)
        srv.engage(refs[59].id, likes=4)
        srv.delete(refs[30].id)
        got = bsky(srv, tmp_path).metrics(refs)
        calls = srv.received("GET", r"getPosts$")
    assert [len(c.query["uris"]) for c in calls] == [25, 25, 10]
    assert got[refs[0].id] == Metrics(9, 3, 2, 1)
    assert got[refs[59].id] == Metrics(4, 0, 0, 0)
    assert got[refs[30].id].gone and sum(m.gone for m in got.values()) == 1
    assert len(got) == 60


def test_bluesky_metrics_rate_limit_down_and_no_appview(tmp_path: Path) -> None:
    with FakeBluesky() as srv:
        refs = bsky_refs(srv, 2)
        a = bsky(srv, tmp_path)
        srv.rate_limit_next(r"getPosts", seconds=90)
        with pytest.raises(RateLimitedError) as e:
            a.metrics(refs)
        assert 60 <= e.value.retry_after <= 91
        srv.appview = False
        with pytest.raises(AdapterError, match="no AppView"):
            a.metrics(refs)
        srv.down = True
        with pytest.raises(TransientError, match="503"):
            a.metrics(refs)


# --- X -------------------------------------------------------------------------------------


def xa(srv: FakeX, tmp_path: Path) -> XAdapter:
    return XAdapter(ctx(tmp_path, "nrf_x", "x", api_base=srv.url))


def test_x_metrics_100_ids_a_call_with_public_metrics_and_gone(tmp_path: Path) -> None:
    with FakeX(keys=X_KEYS) as srv:
        srv.add_posts([f"post {i}" for i in range(130)])
        ids = [t.id for t in srv.posts]
        srv.engage(ids[0], likes=40, retweets=7, replies=3, quotes=2)
        srv.delete(ids[129])
        refs = [RemoteRef(i) for i in ids]
        got = xa(srv, tmp_path).metrics(refs)
        calls = srv.received("GET", r"^/2/tweets$")
    assert [len(c.query["ids"][0].split(",")) for c in calls] == [100, 30]
    assert all("public_metrics" in c.query["tweet.fields"][0] for c in calls)
    assert got[ids[0]] == Metrics(40, 7, 3, 2)
    assert got[ids[1]] == Metrics(0, 0, 0, 0)
    assert got[ids[129]].gone and len(got) == 130


def test_x_metrics_name_a_tier_that_cannot_read_and_rate_limits(tmp_path: Path) -> None:
    with FakeX(keys=X_KEYS) as srv:
        srv.add_posts(["a post"])
        refs = [RemoteRef(srv.posts[0].id)]
        a = xa(srv, tmp_path)
        srv.metrics_tier = False
        with pytest.raises(AdapterError) as e:
            a.metrics(refs)
        assert "nrf_x" in str(e.value) and "API tier" in str(e.value) and "cannot read post metrics" in str(e.value)
        srv.metrics_tier = True
        srv.rate_limited(r"GET /2/tweets", reset_in=300)
        with pytest.raises(RateLimitedError) as r:
            a.metrics(refs)
        assert 250 <= r.value.retry_after <= 301
        srv.down = True
        with pytest.raises(TransientError):
            a.metrics(refs)


# --- the outbox ----------------------------------------------------------------------------


def test_outbox_metrics_are_simulated_deterministic_growing_and_gone_when_deleted(tmp_path: Path) -> None:
    a = OutboxAdapter(ctx(tmp_path, "nrf_x", "outbox", simulate="x"))
    refs = [a.publish(draft(f"post {i}", "x", "nrf_x"), key=f"k{i}", reply_to=None) for i in range(3)]
    posted = datetime.fromisoformat(json.loads(Path(refs[0].extra["path"]).read_text())["posted_at"])
    a.clock = lambda: posted + timedelta(hours=2)  # type: ignore[method-assign]
    early = a.metrics(refs)
    assert early == a.metrics(refs)  # the same post at the same age: the same figures
    assert all(m.simulated and m.quotes is not None for m in early.values())
    a.clock = lambda: posted + timedelta(hours=30)  # type: ignore[method-assign]
    late = a.metrics(refs)
    for ref in refs:
        assert late[ref.id].likes >= early[ref.id].likes and late[ref.id].engagement > early[ref.id].engagement
    assert late[refs[0].id] == simulated(refs[0].id, "h1", "x", 30.0)
    Path(refs[1].extra["path"]).unlink()
    assert a.metrics(refs)[refs[1].id] == Metrics(gone=True, simulated=True)
    masto = OutboxAdapter(ctx(tmp_path, "nrf_m", "outbox", simulate="mastodon"))
    ref = masto.publish(draft("post", "mastodon", "nrf_m"), key="k9", reply_to=None)
    assert masto.metrics([ref])[ref.id].quotes is None  # Mastodon has no quotes
