"""The X adapter: real tweepy over real HTTP against the loopback FakeX."""

from __future__ import annotations

import base64
import io
import logging
import os
import socket
import time
from pathlib import Path

import pytest
from PIL import Image

from campaign.errors import AuthError, RateLimitedError, RejectedError, TransientError
from campaign.models import Draft, MediaRef, RemoteRef
from campaign.publish.adapters.base import AdapterContext
from campaign.publish.adapters.x import XAdapter, normalize_text, retry_after_from
from tests.fakes.x import FakeX

KEYS = {
    "api_key": "ckXq81ZpLr0aWvY3nB7t",
    "api_secret": "csSuperSecretValue9Jk2LmNoPq4RsTuVwXyZ",
    "access_token": "1402938475610001-AtokQw3Er5Ty7Ui9Op1As",
    "access_token_secret": "atsAnotherSecretVal5Hj7Kl9Zx1Cv3Bn5Mq",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    for field, value in KEYS.items():
        monkeypatch.setenv(f"CAMPAIGN_NRF_X_{field.upper()}", value)


@pytest.fixture
def srv(env: None):
    with FakeX(keys=KEYS) as s:
        yield s


def adapter(base: str, tmp_path: Path, timeout: float = 3.0, **settings: object) -> XAdapter:
    ctx = AdapterContext(
        account="nrf_x", platform="x", settings={"api_base": base, **settings},
        state_dir=tmp_path, base_dir=tmp_path, timeout=timeout,
    )
    return XAdapter(ctx)


def draft(text: str, media: tuple[MediaRef, ...] = ()) -> Draft:
    return Draft("h1", "nrf_x", "x", (text,), (len(text),), 280, media)


def png(path: Path, size: tuple[int, int] = (1200, 675), colour: str = "navy") -> Path:
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- happy paths ------------------------------------------------------------------------------


def test_check_reports_who_the_keys_post_as(srv: FakeX, tmp_path: Path) -> None:
    info = adapter(srv.url, tmp_path).check()
    assert (info.handle, info.url, info.platform) == ("@nrf_demo", "https://x.com/nrf_demo", "x")
    req = srv.received("GET", "/2/users/me")[0]
    assert req.header("authorization").startswith("OAuth ")
    assert 'oauth_consumer_key="ckXq81ZpLr0aWvY3nB7t"' in req.header("authorization")


def test_thread_is_a_reply_chain(srv: FakeX, tmp_path: Path) -> None:
    a = adapter(srv.url, tmp_path)
    parts = ["1/3 “We will not stop.” — Ahmad Massoud", "2/3 The resistance goes on.", "3/3 #Afghanistan"]
    refs: list[RemoteRef] = []
    for p in parts:
        refs.append(a.publish(draft(p), key=f"k{len(refs)}", reply_to=refs[-1] if refs else None))
    posted = [srv.post(r.id) for r in refs]
    assert [t.text for t in posted] == parts
    assert [t.in_reply_to for t in posted] == [None, refs[0].id, refs[1].id]
    bodies = [r.json() for r in srv.received("POST", "/2/tweets")]
    assert "reply" not in bodies[0]
    assert bodies[2]["reply"] == {"in_reply_to_tweet_id": refs[1].id}
    assert all(r.url and r.url.endswith(f"/status/{r.id}") for r in refs)


def test_four_images_with_alt_text_each(srv: FakeX, tmp_path: Path) -> None:
    media = tuple(
        MediaRef(str(png(tmp_path / f"card{i}.png", colour=c)), f"Quote card {i}: white text on {c}")
        for i, c in enumerate(["navy", "maroon", "black", "teal"])
    )
    ref = adapter(srv.url, tmp_path).publish(draft("Four cards", media), key="k", reply_to=None)
    uploads = srv.received("POST", "/2/media/upload")
    assert len(uploads) == 4 and not srv.received("POST", "/1.1/")
    for req, m in zip(uploads, media, strict=True):
        body = req.json()
        assert body["media_category"] == "tweet_image" and body["media_type"] == "image/png"
        sent = base64.b64decode(body["media"])
        assert sent == Path(m.path).read_bytes()
        assert len(sent) <= 5_000_000
        assert req.header("authorization").startswith("OAuth ")
    tweet = srv.post(ref.id)
    assert [srv.media[i].alt for i in tweet.media_ids] == [m.alt for m in media]
    metadata = [r.json() for r in srv.received("POST", "/2/media/metadata")]
    assert [b["metadata"]["alt_text"]["text"] for b in metadata] == [m.alt for m in media]
    assert srv.received("POST", "/2/tweets")[0].json()["media"]["media_ids"] == tweet.media_ids


def test_more_images_than_x_allows_is_rejected_before_upload(srv: FakeX, tmp_path: Path) -> None:
    p = png(tmp_path / "c.png")
    media = tuple(MediaRef(str(p), "alt") for _ in range(5))
    with pytest.raises(RejectedError, match="at most 4"):
        adapter(srv.url, tmp_path).publish(draft("Too many", media), key="k", reply_to=None)
    assert not srv.received("POST")


def test_oversized_image_is_shrunk_under_the_budget(srv: FakeX, tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    Image.frombytes("RGB", (1700, 1200), os.urandom(1700 * 1200 * 3)).save(big, "PNG")
    a = adapter(srv.url, tmp_path)
    budget = a.rules.max_image_bytes
    assert big.stat().st_size > budget
    a.publish(draft("Big card", (MediaRef(str(big), "noise"),)), key="k", reply_to=None)
    sent = base64.b64decode(srv.received("POST", "/2/media/upload")[0].json()["media"])
    assert len(sent) <= budget
    assert Image.open(io.BytesIO(sent)).format == "JPEG"


def test_falls_back_to_v1_media_when_v2_is_missing(env: None, tmp_path: Path) -> None:
    with FakeX(keys=KEYS, v2_media=False) as srv:
        media = (MediaRef(str(png(tmp_path / "a.png")), "first alt"),
                 MediaRef(str(png(tmp_path / "b.png", colour="red")), "second alt"))
        ref = adapter(srv.url, tmp_path).publish(draft("Old API", media), key="k", reply_to=None)
        assert len(srv.received("POST", "/2/media/upload")) == 1  # tried once, then v1.1 for the rest
        assert len(srv.received("POST", "/1.1/media/upload.json")) == 2
        alts = [r.json() for r in srv.received("POST", "/1.1/media/metadata/create.json")]
        assert [b["alt_text"]["text"] for b in alts] == ["first alt", "second alt"]
        tweet = srv.post(ref.id)
        assert [srv.media[i].alt for i in tweet.media_ids] == ["first alt", "second alt"]
        assert all(srv.media[i].api == "v1.1" for i in tweet.media_ids)


# --- error mapping ----------------------------------------------------------------------------


def test_401_is_an_auth_error(srv: FakeX, tmp_path: Path) -> None:
    srv.revoked = True
    with pytest.raises(AuthError, match="revoked") as e:
        adapter(srv.url, tmp_path).check()
    assert "401 Unauthorized" in str(e.value)


def test_402_credits_exhausted_is_permanent(srv: FakeX, tmp_path: Path) -> None:
    srv.payment_required()
    with pytest.raises(AuthError, match="credits") as e:
        adapter(srv.url, tmp_path).publish(draft("Pay me"), key="k", reply_to=None)
    assert "does not have any credits" in str(e.value)  # X's own words kept
    assert not srv.posts


def test_read_only_app_says_how_to_fix_it(srv: FakeX, tmp_path: Path) -> None:
    srv.read_only()
    with pytest.raises(AuthError, match="regenerate the access token") as e:
        adapter(srv.url, tmp_path).publish(draft("Hello"), key="k", reply_to=None)
    assert "Read and write" in str(e.value) and "oauth1 app permissions" in str(e.value)


def test_duplicate_is_rejected_as_possibly_already_posted(srv: FakeX, tmp_path: Path) -> None:
    a = adapter(srv.url, tmp_path)
    a.publish(draft("Same words"), key="k1", reply_to=None)
    with pytest.raises(RejectedError, match="possibly already posted") as e:
        a.publish(draft("Same words"), key="k2", reply_to=None)
    assert "duplicate content" in str(e.value)
    assert len(srv.by_text("Same words")) == 1


def test_other_403_is_a_rejection(srv: FakeX, tmp_path: Path) -> None:
    srv.fail_next("POST /2/tweets", 403, {"title": "Forbidden", "type": "about:blank", "status": 403,
                  "detail": "Reply to this conversation is not allowed because you have not been "
                            "mentioned or otherwise engaged by the author of the post you are replying to."})
    with pytest.raises(RejectedError, match="Reply to this conversation is not allowed"):
        adapter(srv.url, tmp_path).publish(draft("reply"), key="k", reply_to=RemoteRef("1"))


def test_429_waits_for_the_later_of_the_15_minute_and_24_hour_resets(srv: FakeX, tmp_path: Path) -> None:
    srv.rate_limited(reset_in=600, user_24h_reset_in=20000, app_24h_reset_in=7000)
    with pytest.raises(RateLimitedError) as e:
        adapter(srv.url, tmp_path).publish(draft("Rate"), key="k", reply_to=None)
    assert 19990 <= e.value.retry_after <= 20001
    assert not e.value.ambiguous


def test_429_ignores_a_24_hour_window_that_is_not_used_up(srv: FakeX, tmp_path: Path) -> None:
    srv.rate_limited(reset_in=600, user_24h_reset_in=50000, user_24h_remaining=12)
    with pytest.raises(RateLimitedError) as e:
        adapter(srv.url, tmp_path).publish(draft("Rate"), key="k", reply_to=None)
    assert 590 <= e.value.retry_after <= 601


def test_429_of_the_api_keys_24_hour_cap_names_the_key_as_its_scope(srv: FakeX, tmp_path: Path) -> None:
    a = adapter(srv.url, tmp_path)
    srv.rate_limited(reset_in=600, app_24h_reset_in=7000, app_24h_remaining=0)
    with pytest.raises(RateLimitedError) as e:
        a.publish(draft("Rate"), key="k", reply_to=None)
    assert e.value.scope == a.rate_scope and a.rate_scope.startswith("x-app:")
    assert "API key" in str(e.value)
    srv.rate_limited(reset_in=600, user_24h_reset_in=7000, app_24h_reset_in=7000, app_24h_remaining=40)
    with pytest.raises(RateLimitedError) as e:
        a.publish(draft("Rate again"), key="k2", reply_to=None)
    assert e.value.scope == ""  # the account's own limit


def test_retry_after_without_headers_is_the_15_minute_window() -> None:
    assert retry_after_from({}, 1000.0) == 900
    assert retry_after_from({"x-rate-limit-reset": "1000"}, 1500.0) == 1.0  # already past: retry soon


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_on_posting_is_ambiguous(srv: FakeX, tmp_path: Path, status: int) -> None:
    srv.server_error(status=status)
    with pytest.raises(TransientError) as e:
        adapter(srv.url, tmp_path).publish(draft("Boom"), key="k", reply_to=None)
    assert e.value.ambiguous and str(status) in str(e.value)


def test_5xx_on_media_upload_is_not_ambiguous(srv: FakeX, tmp_path: Path) -> None:
    srv.server_error("POST /2/media/upload", status=500)
    media = (MediaRef(str(png(tmp_path / "c.png")), "alt"),)
    with pytest.raises(TransientError) as e:
        adapter(srv.url, tmp_path).publish(draft("Card", media), key="k", reply_to=None)
    assert not e.value.ambiguous  # the post was never created
    assert not srv.received("POST", "/2/tweets")


def test_dropped_connection_is_ambiguous(srv: FakeX, tmp_path: Path) -> None:
    srv.drop_next("POST /2/tweets")
    with pytest.raises(TransientError) as e:
        adapter(srv.url, tmp_path).publish(draft("Dropped"), key="k", reply_to=None)
    assert e.value.ambiguous and "may have landed" in str(e.value)


def test_timeout_is_honoured_and_ambiguous(srv: FakeX, tmp_path: Path) -> None:
    srv.delay_next("POST /2/tweets", 2.0)
    start = time.monotonic()
    with pytest.raises(TransientError) as e:
        adapter(srv.url, tmp_path, timeout=0.4).publish(draft("Slow"), key="k", reply_to=None)
    assert time.monotonic() - start < 1.5
    assert e.value.ambiguous and "timed out" in str(e.value)


def test_timeout_applies_to_v1_media_too(env: None, tmp_path: Path) -> None:
    with FakeX(keys=KEYS, v2_media=False) as srv:
        srv.delay_next("POST /1.1/media/upload.json", 2.0)
        start = time.monotonic()
        with pytest.raises(TransientError) as e:
            adapter(srv.url, tmp_path, timeout=0.4).publish(
                draft("Slow card", (MediaRef(str(png(tmp_path / "c.png")), "alt"),)), key="k", reply_to=None)
        assert time.monotonic() - start < 1.5 and not e.value.ambiguous


def test_connection_refused_is_not_ambiguous(env: None, tmp_path: Path) -> None:
    with pytest.raises(TransientError) as e:
        adapter(f"http://127.0.0.1:{free_port()}", tmp_path, timeout=1).publish(
            draft("Nobody home"), key="k", reply_to=None)
    assert not e.value.ambiguous and "could not connect" in str(e.value)


def test_missing_credentials_name_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               env: None) -> None:
    monkeypatch.delenv("CAMPAIGN_NRF_X_ACCESS_TOKEN_SECRET")
    with pytest.raises(AuthError, match="CAMPAIGN_NRF_X_ACCESS_TOKEN_SECRET"):
        adapter("http://127.0.0.1:9", tmp_path).check()


def test_base_url_override_from_the_environment(srv: FakeX, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_NRF_X_API_BASE", srv.url)
    ctx = AdapterContext(account="nrf_x", platform="x", state_dir=tmp_path, base_dir=tmp_path, timeout=3)
    assert XAdapter(ctx).check().handle == "@nrf_demo"


def test_base_url_override_in_nested_account_settings(srv: FakeX, tmp_path: Path) -> None:
    ctx = AdapterContext(account="nrf_x", platform="x", settings={"platform": "x",
                         "settings": {"api_base": srv.url}}, state_dir=tmp_path, timeout=3)
    assert XAdapter(ctx).check().handle == "@nrf_demo"


# --- find -------------------------------------------------------------------------------------


def test_find_after_a_lost_answer_finds_the_post(srv: FakeX, tmp_path: Path) -> None:
    text = "“Freedom & dignity.” — Ahmad Massoud\n\n#Afghanistan\nhttps://example.org/news/nrf?utm_source=x"
    card = (MediaRef(str(png(tmp_path / "c.png")), "alt"),)
    a = adapter(srv.url, tmp_path)
    srv.drop_next("POST /2/tweets", after=True)
    with pytest.raises(TransientError) as e:
        a.publish(draft(text, card), key="k", reply_to=None)
    assert e.value.ambiguous
    assert len(srv.by_text(text)) == 1  # it landed
    stored = srv.by_text(text)[0]
    assert "t.co" in stored.shown and "&amp;" in stored.shown  # what X gives back differs
    found = a.find(draft(text, card), key="k")
    assert found == RemoteRef(stored.id, f"https://x.com/nrf_demo/status/{stored.id}")
    req = srv.received("GET", r"/2/users/\d+/tweets")[0]
    assert req.query["max_results"] == ["100"]


def test_find_returns_none_when_nothing_landed(srv: FakeX, tmp_path: Path) -> None:
    a = adapter(srv.url, tmp_path)
    a.publish(draft("Another post example.org"), key="k1", reply_to=None)
    assert a.find(draft("A post that never landed"), key="k2") is None


def test_normalize_masks_tco_and_bare_domains() -> None:
    assert normalize_text("Read https://t.co/AbC123 &amp; share") == normalize_text(
        "Read example.org/news?a=1 & share")
    assert normalize_text("One") != normalize_text("Two")


# --- secrets ----------------------------------------------------------------------------------


def test_no_secret_in_any_message_or_log_line(srv: FakeX, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    a = adapter(srv.url, tmp_path)
    messages: list[str] = []
    a.check()
    a.publish(draft("Logged post", (MediaRef(str(png(tmp_path / "c.png")), "alt"),)), key="k", reply_to=None)
    faults = [
        lambda: srv.unauthorized(),
        lambda: srv.payment_required(),
        lambda: srv.read_only(),
        lambda: srv.rate_limited(user_24h_reset_in=100),
        lambda: srv.server_error(),
        lambda: srv.drop_next("POST /2/tweets"),
    ]
    for i, inject in enumerate(faults):
        inject()
        with pytest.raises((AuthError, RejectedError, TransientError)) as e:
            a.publish(draft(f"Faulty {i}"), key="k", reply_to=None)
        messages.append(str(e.value))
        messages.append(repr(e.value))
    a.find(draft("Logged post"), key="k")
    out = capsys.readouterr()
    logged = [r.getMessage() for r in caplog.records] + [caplog.text]
    assert any("oauth" in line.lower() for line in logged), "expected DEBUG lines from the OAuth signer"
    everything = "\n".join(messages + logged + [out.out, out.err])
    for name, value in KEYS.items():
        assert value not in everything, f"{name} leaked"


def test_check_spots_a_read_only_token(srv: FakeX, tmp_path: Path) -> None:
    srv.read_only_app = True
    with pytest.raises(AuthError, match="regenerate the access token"):
        adapter(srv.url, tmp_path).check()
    with pytest.raises(AuthError, match="oauth1 app permissions"):
        adapter(srv.url, tmp_path).publish(draft("Hello"), key="k", reply_to=None)
