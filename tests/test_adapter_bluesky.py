"""The Bluesky adapter: the real atproto client over real HTTP against a loopback PDS."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign import tid
from campaign.errors import AuthError, RateLimitedError, RejectedError, TransientError
from campaign.models import Draft, MediaRef, RemoteRef
from campaign.publish.adapters.base import AdapterContext, create
from campaign.publish.adapters.bluesky import BlueskyAdapter
from tests.fakes.bluesky import APP_PASSWORD, DID, HANDLE, FakeBluesky

LINK = "https://example.org/news/nrf?utm_source=bluesky"
MASSOUD = "did:plc:massoud4resistance"
_T0 = datetime(2026, 3, 1, tzinfo=UTC)
_n = 0


def key() -> str:
    global _n
    _n += 1
    return tid.mint(_T0 + timedelta(seconds=_n), clock_id=7)


@pytest.fixture
def srv():
    with FakeBluesky(known_handles={"ahmadmassoud.bsky.social": MASSOUD}) as s:
        yield s


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)


def adapter(srv: FakeBluesky, tmp_path: Path, timeout: float = 5.0, **settings) -> BlueskyAdapter:
    ctx = AdapterContext(account="nrf_bluesky", platform="bluesky",
                         settings={"platform": "bluesky", "service": srv.url, "handle": "@" + HANDLE,
                                   **settings},
                         language="en", state_dir=tmp_path / "state", timeout=timeout)
    a = create(ctx)
    assert isinstance(a, BlueskyAdapter)
    return a


def card(tmp_path: Path, name: str = "card.png", size: tuple[int, int] = (1200, 675)) -> MediaRef:
    from PIL import Image

    p = tmp_path / name
    Image.new("RGB", size, "#0b2545").save(p)
    return MediaRef(str(p), "Quote card: “We will resist.” — Ahmad Massoud", "image/png", *size)


def draft(*parts: str, media: tuple[MediaRef, ...] = (), language: str = "en", link: str | None = LINK) -> Draft:
    return Draft("h1", "nrf_bluesky", "bluesky", tuple(parts), tuple(len(p) for p in parts), 300,
                 media=media, language=language, link=link)


def creates(srv: FakeBluesky):
    return srv.received("POST", r"createRecord$")


def sliced(text: str, facet: dict) -> str:
    i = facet["index"]
    return text.encode()[i["byteStart"]:i["byteEnd"]].decode()


# --- the record ----------------------------------------------------------------------------


def test_facets_use_utf8_byte_offsets(srv, tmp_path):
    text = ("🇦🇫✊🏽 «ما تسلیم نمی‌شویم» — احمد مسعود " + LINK +
            " #Afghanistan @ahmadmassoud.bsky.social @unknown-person.bsky.social")
    k = key()
    adapter(srv, tmp_path).publish(draft(text, language="fa"), key=k, reply_to=None)
    rec = srv.records[k]
    got = {f["features"][0]["$type"].rsplit("#")[1]: (sliced(text, f), f["features"][0]) for f in rec.facets}
    assert got["link"] == (LINK, {"$type": "app.bsky.richtext.facet#link", "uri": LINK})
    assert got["tag"][0] == "#Afghanistan" and got["tag"][1]["tag"] == "Afghanistan"
    assert got["mention"][0] == "@ahmadmassoud.bsky.social" and got["mention"][1]["did"] == MASSOUD
    assert len(rec.facets) == 3  # the unresolvable mention stays plain text
    assert rec.value["langs"] == ["fa"]
    starts = [f["index"]["byteStart"] for f in rec.facets]
    assert starts == sorted(starts) and starts[0] > len(text.split("https")[0])  # bytes, not chars


def test_images_with_alt_aspect_ratio_and_content_type(srv, tmp_path):
    k = key()
    media = (card(tmp_path), card(tmp_path, "square.png", (1080, 1080)))
    ref = adapter(srv, tmp_path).publish(draft("Two cards " + LINK, media=media), key=k, reply_to=None)
    embed = srv.records[k].embed
    assert embed["$type"] == "app.bsky.embed.images"  # images win over the link card
    assert [i["alt"] for i in embed["images"]] == [media[0].alt] * 2
    assert [i["aspectRatio"]["width"] for i in embed["images"]] == [1200, 1080]
    assert [i["aspectRatio"]["height"] for i in embed["images"]] == [675, 1080]
    blobs = list(srv.blobs.values())
    assert [b.content_type for b in blobs] == ["image/png", "image/png"]
    assert all(len(b.data) <= 1_000_000 for b in blobs)
    assert {i["image"]["ref"]["$link"] for i in embed["images"]} == set(srv.blobs)
    assert ref.id == f"at://{DID}/app.bsky.feed.post/{k}"
    assert ref.url == f"https://bsky.app/profile/{HANDLE}/post/{k}"


def test_image_over_a_million_bytes_is_refused_before_uploading(srv, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + os.urandom(1_000_001))
    m = MediaRef(str(big), "alt", "image/png", 10, 10)
    with pytest.raises(RejectedError, match="big.png"):
        adapter(srv, tmp_path).publish(draft("Too big", media=(m,)), key=key(), reply_to=None)
    assert not srv.received("POST", r"uploadBlob|createRecord")


def test_blob_too_large_from_the_pds_is_rejected(srv, tmp_path):
    srv.fail_next(r"createRecord", 400, {"error": "BlobTooLarge", "message":
                  "This file is too large. It is 1.47MB but the maximum size is 976.56KB."})
    with pytest.raises(RejectedError, match="BlobTooLarge.*976.56KB"):
        adapter(srv, tmp_path).publish(draft("Card", media=(card(tmp_path),)), key=key(), reply_to=None)


def test_link_only_post_gets_an_external_card(srv, tmp_path):
    a = adapter(srv, tmp_path, settings={"link_title": "Anti-Taliban Resistance Leader Addresses the EU",
                                         "link_description": "Kumayl Nazary"})
    k1, k2 = key(), key()
    a.publish(draft("Read the speech: " + LINK), key=k1, reply_to=None)
    a.publish(draft("No link here", link=None), key=k2, reply_to=None)
    ext = srv.records[k1].embed
    assert ext["$type"] == "app.bsky.embed.external"
    assert ext["external"]["uri"] == LINK
    assert ext["external"]["title"] == "Anti-Taliban Resistance Leader Addresses the EU"
    assert ext["external"]["description"] == "Kumayl Nazary" and "thumb" not in ext["external"]
    assert srv.records[k2].embed is None
    assert not srv.received("GET", r"example\.org")


def test_shortened_link_opens_the_full_url(srv, tmp_path):
    from campaign.platforms.bluesky import display_link

    full = "https://example.org/news/nrf-leader-addresses-european-union?utm_source=bluesky&utm_medium=social"
    shown = display_link(full)
    text = f"“نه به طالبان” 🙂 {shown} #Afghanistan"
    k = key()
    adapter(srv, tmp_path).publish(draft(text, link=full), key=k, reply_to=None)
    rec = srv.records[k]
    (link,) = [f for f in rec.facets if f["features"][0]["$type"].endswith("#link")]
    assert sliced(text, link) == shown and link["features"][0]["uri"] == full
    assert rec.embed["external"]["uri"] == full


def test_thread_root_and_parent(srv, tmp_path):
    a = adapter(srv, tmp_path)
    keys = [key() for _ in range(3)]
    refs: list[RemoteRef] = []
    for i, k in enumerate(keys):
        refs.append(a.publish(draft(f"{i + 1}/3 part"), key=k, reply_to=refs[-1] if refs else None))
    first, second, third = (srv.records[k] for k in keys)
    assert first.reply is None
    assert second.reply["root"] == {"$type": "com.atproto.repo.strongRef", "uri": first.uri, "cid": first.cid}
    assert second.reply["parent"]["uri"] == first.uri
    assert third.reply["root"]["uri"] == first.uri and third.reply["root"]["cid"] == first.cid
    assert third.reply["parent"] == {"$type": "com.atproto.repo.strongRef", "uri": second.uri, "cid": second.cid}
    assert refs[2].extra == {"uri": third.uri, "cid": third.cid, "root_uri": first.uri, "root_cid": first.cid}


def test_reply_to_with_uri_only_fetches_the_cid(srv, tmp_path):
    a = adapter(srv, tmp_path)
    k1, k2 = key(), key()
    first = a.publish(draft("1/2"), key=k1, reply_to=None)
    a.publish(draft("2/2"), key=k2, reply_to=RemoteRef(first.id))
    assert srv.records[k2].reply["parent"]["cid"] == srv.records[k1].cid


# --- record keys and retries ---------------------------------------------------------------


def test_rkey_is_the_key_and_stable_across_retries(srv, tmp_path):
    a = adapter(srv, tmp_path)
    k = key()
    d = draft("Stand with the Afghan resistance " + LINK)
    srv.fail_next(r"createRecord", 503, {"error": "ServiceUnavailable", "message": "try later"})
    with pytest.raises(TransientError) as e:
        a.publish(d, key=k, reply_to=None)
    assert e.value.ambiguous
    srv.drop_next(r"createRecord")  # lost before the PDS handled it
    with pytest.raises(TransientError) as e:
        a.publish(d, key=k, reply_to=None)
    assert e.value.ambiguous
    ref = a.publish(d, key=k, reply_to=None)
    assert [r.json()["rkey"] for r in creates(srv)] == [k, k, k]
    assert list(srv.records) == [k] and ref.id.endswith("/" + k)


def test_lost_answer_is_found_not_posted_twice(srv, tmp_path):
    a = adapter(srv, tmp_path)
    k = key()
    srv.drop_next(r"createRecord", after=True)  # created, but the answer is lost
    ref = a.publish(draft("Once only"), key=k, reply_to=None)  # looks, finds it
    assert len(creates(srv)) == 1 and list(srv.records) == [k]
    assert a.publish(draft("Once only"), key=k, reply_to=None) == ref  # get first: no 500
    assert len(creates(srv)) == 1


def test_find_is_a_get_record(srv, tmp_path):
    a = adapter(srv, tmp_path)
    k = key()
    assert a.find(draft("x"), key=k) is None
    ref = a.publish(draft("x"), key=k, reply_to=None)
    assert a.find(draft("x"), key=k) == ref
    assert srv.received("GET", r"getRecord$")[-1].query["rkey"] == [k]
    assert len(creates(srv)) == 1


def test_duplicate_rkey_is_a_500_on_the_fake_like_a_real_pds(srv, tmp_path):
    import urllib.error
    import urllib.request

    a = adapter(srv, tmp_path)
    k = key()
    a.publish(draft("x"), key=k, reply_to=None)
    token = next(iter(srv.access_tokens))
    body = {"repo": DID, "collection": "app.bsky.feed.post", "rkey": k,
            "record": {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-03-01T00:00:00Z"}}
    req = urllib.request.Request(srv.url + "/xrpc/com.atproto.repo.createRecord", json.dumps(body).encode(),
                                 {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=2)
    assert e.value.code == 500


def test_a_key_that_is_not_a_tid_is_refused(srv, tmp_path):
    with pytest.raises(RejectedError, match="not a TID"):
        adapter(srv, tmp_path).publish(draft("x"), key="job-42", reply_to=None)
    assert not srv.received("POST", r"createRecord")


# --- sessions ------------------------------------------------------------------------------


def test_one_login_across_posts_and_adapter_instances(srv, tmp_path):
    a = adapter(srv, tmp_path)
    for i in range(5):
        a.publish(draft(f"post {i}"), key=key(), reply_to=None)
    b = adapter(srv, tmp_path)
    b.publish(draft("from another adapter"), key=key(), reply_to=None)
    assert b.find(draft("x"), key=key()) is None
    assert srv.create_sessions == 1 and len(srv.records) == 6
    mode = stat.S_IMODE(os.stat(a.session_file).st_mode)
    assert mode == 0o600 and a.session_file.parent == tmp_path / "state"


def test_session_is_refreshed_and_saved(tmp_path):
    with FakeBluesky(access_ttl=60) as s:  # the SDK refreshes when under 15 minutes remain
        adapter(s, tmp_path).publish(draft("one"), key=key(), reply_to=None)
        saved = adapter(s, tmp_path).session_file.read_text()
        adapter(s, tmp_path).publish(draft("two"), key=key(), reply_to=None)
        assert s.create_sessions == 1 and s.refreshes >= 1
        assert adapter(s, tmp_path).session_file.read_text() != saved


def test_stale_cached_session_falls_back_to_one_login(srv, tmp_path):
    adapter(srv, tmp_path).publish(draft("one"), key=key(), reply_to=None)
    srv.revoke_sessions()
    b = adapter(srv, tmp_path)
    b.publish(draft("two"), key=key(), reply_to=None)
    b.publish(draft("three"), key=key(), reply_to=None)
    assert srv.create_sessions == 2 and len(srv.records) == 3


def test_corrupt_session_file_falls_back_to_login(srv, tmp_path):
    a = adapter(srv, tmp_path)
    a.session_file.parent.mkdir(parents=True)
    a.session_file.write_text(json.dumps({"service": srv.url, "handle": HANDLE, "session": "garbage"}))
    a.publish(draft("one"), key=key(), reply_to=None)
    assert srv.create_sessions == 1


# --- errors --------------------------------------------------------------------------------


def test_wrong_app_password_is_an_auth_error(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    with pytest.raises(AuthError) as e:
        adapter(srv, tmp_path).check()
    assert "Invalid identifier or password" in str(e.value) and "wxyz-wxyz" not in str(e.value)


def test_email_two_factor_is_an_auth_error(srv, tmp_path):
    srv.fail_next(r"createSession", 401, {"error": "AuthFactorTokenRequired",
                                          "message": "A sign in code has been sent to your email"})
    with pytest.raises(AuthError, match="app password"):
        adapter(srv, tmp_path).check()


def test_missing_handle_or_password(srv, tmp_path, monkeypatch):
    monkeypatch.delenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD")
    with pytest.raises(AuthError, match="CAMPAIGN_NRF_BLUESKY_APP_PASSWORD"):
        adapter(srv, tmp_path).check()
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_HANDLE", HANDLE)
    assert adapter(srv, tmp_path, handle=None).check().handle == "@" + HANDLE


def test_rate_limit_carries_the_reset(srv, tmp_path):
    a = adapter(srv, tmp_path)
    srv.rate_limit_next(seconds=90)
    with pytest.raises(RateLimitedError) as e:
        a.publish(draft("x"), key=key(), reply_to=None)
    assert 80 <= e.value.retry_after <= 91


def test_invalid_record_is_rejected(srv, tmp_path):
    a = adapter(srv, tmp_path)
    with pytest.raises(RejectedError, match="300 graphemes"):
        a.publish(draft("ا" * 301), key=key(), reply_to=None)


def test_forbidden_is_an_auth_error(srv, tmp_path):
    a = adapter(srv, tmp_path)
    a.check()
    srv.fail_next(r"createRecord", 403, {"error": "AccountTakedown", "message": "Account has been taken down"})
    with pytest.raises(AuthError, match="taken down"):
        a.publish(draft("x"), key=key(), reply_to=None)


def test_timeouts_and_refused_connections(srv, tmp_path):
    a = adapter(srv, tmp_path, timeout=0.5)
    a.check()
    srv.delay_next(r"createRecord", 1.0)
    k = key()
    with pytest.raises(TransientError) as e:
        a.publish(draft("slow"), key=k, reply_to=None)
    assert e.value.ambiguous and e.value.unreachable
    down = adapter(srv, tmp_path, timeout=0.5)  # new connections, the cached session
    srv.stop()
    with pytest.raises(TransientError) as e:
        down.publish(draft("down"), key=key(), reply_to=None)
    assert not e.value.ambiguous and srv.create_sessions == 1
    assert e.value.unreachable  # the worker defers the account's other jobs after a few


# --- secrets -------------------------------------------------------------------------------


def test_no_secret_in_errors_or_logs(srv, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    a = adapter(srv, tmp_path, timeout=0.5)
    messages = []
    faults = [
        lambda: srv.fail_next(r"createRecord", 401, {"error": "InvalidToken", "message": "Bad token"}),
        lambda: srv.fail_next(r"createRecord", 500, {"error": "InternalServerError", "message": "x"}),
        lambda: srv.rate_limit_next(),
        lambda: srv.fail_next(r"createRecord", 400, {"error": "InvalidRecord", "message": "bad"}),
        lambda: srv.delay_next(r"createRecord", 1.0),
        lambda: srv.drop_next(r"createRecord"),
    ]
    for fault in faults:
        fault()
        with pytest.raises((AuthError, RejectedError, TransientError)) as e:
            a.publish(draft("Hello"), key=key(), reply_to=None)
        messages.append(str(e.value))
    a.publish(draft("Hello"), key=key(), reply_to=None)
    secrets = [APP_PASSWORD, *srv.access_tokens, *srv.refresh_tokens]
    secrets.append(a.session_file.read_text().split('"session": "')[1].split('"')[0])
    out = capsys.readouterr()
    for text in (*messages, caplog.text, out.out, out.err):
        for secret in secrets:
            assert secret not in text


# --- one failed login per account per run --------------------------------------------------


def _queue(store, srv: FakeBluesky, n: int) -> None:
    from tests.helpers import make_draft, queue

    drafts = [make_draft(f"h{i}", "nrf_bluesky", (f"post {i}",), platform="bluesky") for i in range(n)]
    queue(store, drafts, accounts={"nrf_bluesky": {"platform": "bluesky", "service": srv.url,
                                                   "handle": "@" + HANDLE}})


def _run(store, tmp_path: Path, clock):
    from campaign.publish.worker import Worker, adapters_from_store

    return Worker(store, adapters_from_store(store, state_dir=tmp_path / "state"), now=clock).run(once=True)


def test_a_wrong_app_password_costs_one_login_per_run(srv, tmp_path, monkeypatch, store):
    from tests.helpers import T0, Clock

    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    _queue(store, srv, 6)
    clock = Clock(T0 + timedelta(hours=1))
    report = _run(store, tmp_path, clock)
    assert srv.create_sessions == 1  # was 6: one createSession per due post
    jobs = store.jobs()
    failed = [j for j in jobs if j.status == "failed"]
    held = [j for j in jobs if j.status == "todo"]
    assert len(failed) == 1 and "Invalid identifier or password" in (failed[0].last_error or "")
    assert len(held) == 5, [(j.status, j.last_error) for j in jobs]
    assert all("held back" in (j.last_error or "") and "wxyz" not in (j.last_error or "") for j in held)
    assert all(j.run_at > clock() for j in held)
    assert (report.failed, report.retried, report.succeeded) == (1, 5, 0)

    # the next run, once the password is fixed: one login, and the held posts go out
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    clock.t += timedelta(hours=2)
    report = _run(store, tmp_path, clock)
    assert report.succeeded == 5 and len(srv.records) == 5 and srv.create_sessions == 2


def test_a_failed_login_is_tried_again_with_new_credentials_only(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    a = adapter(srv, tmp_path)
    with pytest.raises(AuthError, match="Invalid identifier or password"):
        a.publish(draft("one"), key=key(), reply_to=None)
    for call in (lambda: a.publish(draft("two"), key=key(), reply_to=None),
                 lambda: a.find(draft("two"), key=key())):
        with pytest.raises(TransientError, match="held back") as e:
            call()
        assert not e.value.ambiguous and not isinstance(e.value, AuthError)
    assert srv.create_sessions == 1 and not srv.received("POST", r"createRecord")
    # `campaign accounts login` stored a new password while the worker runs: it is tried
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    a.publish(draft("three"), key=key(), reply_to=None)
    assert srv.create_sessions == 2 and len(srv.records) == 1


def test_a_rate_limited_login_holds_the_other_posts_until_the_reset(srv, tmp_path):
    a = adapter(srv, tmp_path)
    srv.rate_limit_next(r"createSession", seconds=600)
    with pytest.raises(RateLimitedError):
        a.publish(draft("one"), key=key(), reply_to=None)
    with pytest.raises(RateLimitedError, match="held back") as e:
        a.publish(draft("two"), key=key(), reply_to=None)
    assert 500 < e.value.retry_after <= 601 and len(srv.received("POST", r"createSession$")) == 1


def test_a_revoked_session_and_a_wrong_password_cost_one_login(srv, tmp_path, monkeypatch):
    adapter(srv, tmp_path).publish(draft("one"), key=key(), reply_to=None)
    srv.revoke_sessions()
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    a = adapter(srv, tmp_path)
    with pytest.raises(AuthError):
        a.publish(draft("two"), key=key(), reply_to=None)
    requests = len(srv.requests)
    for _ in range(3):
        with pytest.raises(TransientError, match="held back"):
            a.publish(draft("three"), key=key(), reply_to=None)
    assert srv.create_sessions == 2 and len(srv.requests) == requests  # nothing more sent


# --- accounts check ------------------------------------------------------------------------


def test_check_verifies_the_app_password_even_with_a_cached_session(srv, tmp_path, monkeypatch):
    adapter(srv, tmp_path).publish(draft("one"), key=key(), reply_to=None)  # a session is cached
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    with pytest.raises(AuthError, match="Invalid identifier or password"):
        adapter(srv, tmp_path).check()
    monkeypatch.setenv("CAMPAIGN_NRF_BLUESKY_APP_PASSWORD", APP_PASSWORD)
    assert adapter(srv, tmp_path).check().handle == "@" + HANDLE
    assert srv.create_sessions == 3
    adapter(srv, tmp_path).publish(draft("two"), key=key(), reply_to=None)  # check's session is kept
    assert srv.create_sessions == 3


# --- a handle that does not resolve ----------------------------------------------------------


def test_an_unresolvable_handle_falls_back_to_the_speakers_name(srv, tmp_path):
    from dataclasses import replace

    text = ("“Nous ne céderons pas.” 🇦🇫\n— @loiseau-nrf.bsky.social\n\n#Afghanistan #StandWithNRF\n"
            + LINK)
    d = replace(draft(text), names=(("@loiseau-nrf.bsky.social", "Nathalie Loiseau"),
                                    ("@ahmadmassoud.bsky.social", "Ahmad Massoud")))
    k = key()
    adapter(srv, tmp_path).publish(d, key=k, reply_to=None)
    rec = srv.records[k]
    assert rec.text == text.replace("@loiseau-nrf.bsky.social", "Nathalie Loiseau")
    got = sorted(sliced(rec.text, f) for f in rec.facets)
    assert got == sorted(["#Afghanistan", "#StandWithNRF", LINK])  # offsets follow the new text

    # a handle that resolves keeps its mention; one with no name known stays plain text
    text2 = "“Resist.” — @ahmadmassoud.bsky.social, with @someone-else.bsky.social"
    k2 = key()
    adapter(srv, tmp_path).publish(replace(draft(text2, link=None), names=d.names), key=k2, reply_to=None)
    rec2 = srv.records[k2]
    assert rec2.text == text2
    assert [(sliced(text2, f), f["features"][0]["did"]) for f in rec2.facets] == \
        [("@ahmadmassoud.bsky.social", MASSOUD)]


def test_the_speakers_name_is_used_only_when_the_post_still_fits(srv, tmp_path):
    from dataclasses import replace

    text = "x" * 270 + " — @loiseau-nrf.bsky.social"  # 297 graphemes; with a long name, 311
    d = replace(draft(text, link=None), names=(("@loiseau-nrf.bsky.social", "Nathalie Loiseau, MEP, Renew"),))
    k = key()
    adapter(srv, tmp_path).publish(d, key=k, reply_to=None)
    assert srv.records[k].text == text and not srv.records[k].facets


def test_names_survive_the_queue():
    from campaign.queue import draft_from_json, draft_to_json

    d = Draft("h1", "nrf_bluesky", "bluesky", ("— @a.bsky.social",), (16,), 300,
              names=(("@a.bsky.social", "A Person"),))
    assert draft_from_json(draft_to_json(d)) == d
