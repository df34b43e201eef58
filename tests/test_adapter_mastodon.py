"""The Mastodon adapter: the real Mastodon.py over real HTTP against a loopback instance."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from campaign.errors import AuthError, RateLimitedError, RejectedError, TooLongError, TransientError
from campaign.models import Draft, MediaRef, RemoteRef
from campaign.publish.adapters.base import AdapterContext, create
from campaign.publish.adapters.mastodon import MastodonAdapter, normalize, plain_text
from tests.fakes.mastodon import TOKEN, FakeMastodon, render_content

KEY = "3l7kxzq2abc22"
LINK = "https://example.org/news/nrf-leader-addresses-european-union?utm_source=mastodon&utm_medium=social"


@pytest.fixture
def srv():
    with FakeMastodon() as s:
        yield s


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)
    monkeypatch.setattr(MastodonAdapter, "processing_waits", (0.01, 0.01, 0.01))


def adapter(srv: FakeMastodon, tmp_path: Path, timeout: float = 5.0, **settings) -> MastodonAdapter:
    ctx = AdapterContext(account="nrf_mastodon", platform="mastodon",
                         settings={"platform": "mastodon", "instance": srv.url, **settings},
                         language="en", state_dir=tmp_path / "state", timeout=timeout)
    a = create(ctx)
    assert isinstance(a, MastodonAdapter)
    return a


def card(tmp_path: Path, name: str = "card.png") -> MediaRef:
    from PIL import Image

    p = tmp_path / name
    Image.new("RGB", (1200, 675), "#0b2545").save(p)
    return MediaRef(str(p), "Quote card: “We will resist.” — Ahmad Massoud", "image/png", 1200, 675)


def draft(*parts: str, media: tuple[MediaRef, ...] = (), language: str = "en") -> Draft:
    return Draft("h1", "nrf_mastodon", "mastodon", tuple(parts), tuple(len(p) for p in parts), 500,
                 media=media, language=language, link=LINK)


def status_posts(srv: FakeMastodon):
    return srv.received("POST", r"^/api/v1/statuses$")


# --- limits --------------------------------------------------------------------------------


def test_limits_come_from_the_instance_and_are_cached(tmp_path):
    with FakeMastodon(max_characters=1000, max_media=6, description_limit=1200) as s:
        a = adapter(s, tmp_path)
        lim = a.limits()
        assert (lim.max_characters, lim.characters_reserved_per_url, lim.max_media_attachments,
                lim.description_limit, lim.source) == (1000, 23, 6, 1200, "instance")
        assert a.rules.max_chars == 1000 and a.rules.max_images == 6
        assert [r.path for r in s.received()] == ["/api/v2/instance"]
        again = adapter(s, tmp_path).limits()  # a new adapter reads the day-old cache
        assert again.max_characters == 1000 and again.source == "cache"
        assert len(s.received()) == 1
        assert adapter(s, tmp_path).limits(refresh=True).source == "instance"


def test_rules_fall_back_to_defaults_when_the_instance_is_down(tmp_path):
    s = FakeMastodon().start()
    url = s.url
    s.stop()
    ctx = AdapterContext(account="nrf_mastodon", platform="mastodon", settings={"instance": url},
                         state_dir=tmp_path, timeout=1)
    a = MastodonAdapter(ctx)
    assert a.rules.max_chars == 500
    with pytest.raises(TransientError):
        a.limits()


# --- publishing ----------------------------------------------------------------------------


def test_image_with_alt_and_focus_through_v2_media(srv, tmp_path):
    a = adapter(srv, tmp_path, visibility="unlisted", content_warning="War, violence",
                settings={"focus": "0.2,-0.4"})
    ref = a.publish(draft("“We will resist.” — Ahmad Massoud " + LINK, media=(card(tmp_path),),
                          language="fa"), key=KEY, reply_to=None)
    assert srv.received("POST", r"/api/v2/media") and not srv.received("POST", r"/api/v1/media")
    (media,) = srv.media.values()
    assert media.description == "Quote card: “We will resist.” — Ahmad Massoud"
    assert media.focus == "0.2,-0.4" and media.mime == "image/png" and media.filename == "card.png"
    (status,) = srv.posted()
    assert ref == RemoteRef(id=status.id, url=f"{srv.url}/@nrf/{status.id}")
    assert status.media_ids == [media.id]
    assert (status.visibility, status.language, status.spoiler_text) == ("unlisted", "fa", "War, violence")
    assert status.idempotency_key == KEY
    assert status_posts(srv)[0].header("idempotency-key") == KEY


def test_language_falls_back_to_the_account(srv, tmp_path):
    a = adapter(srv, tmp_path, language="prs")
    a.publish(draft("Salaam", language=""), key=KEY, reply_to=None)
    assert srv.posted()[0].language == "prs"


def test_thread_replies_without_self_mention(srv, tmp_path):
    a = adapter(srv, tmp_path)
    parts = ["1/3 The Taliban do not represent Afghanistan.", "2/3 We ask Europe to listen.",
             "3/3 " + LINK]
    refs: list[RemoteRef] = []
    for i, text in enumerate(parts):
        refs.append(a.publish(draft(text), key=f"3l7kxzq2abc2{i + 3}", reply_to=refs[-1] if refs else None))
    statuses = srv.posted()
    assert [s.text for s in statuses] == parts  # no "@nrf " prefix (status_reply would add one)
    assert [s.in_reply_to_id for s in statuses] == [None, refs[0].id, refs[1].id]
    assert not srv.received("GET", r"verify_credentials")
    assert all(r.header("idempotency-key") for r in status_posts(srv))


def test_idempotency_key_is_stable_across_retries(srv, tmp_path):
    a = adapter(srv, tmp_path)
    d = draft("Stand with the Afghan resistance " + LINK)
    srv.fail_next(r"POST /api/v1/statuses", 503, {"error": "Service Unavailable"})
    with pytest.raises(TransientError) as e:
        a.publish(d, key=KEY, reply_to=None)
    assert e.value.ambiguous and "503" in str(e.value)
    srv.drop_next(r"POST /api/v1/statuses", after=True)  # posted, but the answer is lost
    with pytest.raises(TransientError) as e:
        a.publish(d, key=KEY, reply_to=None)
    assert e.value.ambiguous
    ref = a.publish(d, key=KEY, reply_to=None)  # same key: the instance answers with the same status
    assert len(srv.statuses) == 1 and ref.id == srv.posted()[0].id
    assert [r.header("idempotency-key") for r in status_posts(srv)] == [KEY] * 3


def test_media_still_processing_is_retried(srv, tmp_path):
    a = adapter(srv, tmp_path)
    srv.processing_next(times=2)
    a.publish(draft("With a card", media=(card(tmp_path),)), key=KEY, reply_to=None)
    assert len(status_posts(srv)) == 3 and len(srv.statuses) == 1
    srv.processing_next(times=9)
    with pytest.raises(TransientError) as e:
        a.publish(draft("Again", media=(card(tmp_path),)), key="3l7kxzq2abc33", reply_to=None)
    assert "processing" in str(e.value) and not e.value.ambiguous


def test_media_processing_is_polled_before_posting(srv, tmp_path):
    srv.process_polls = 2
    a = adapter(srv, tmp_path)
    a.publish(draft("With a slow card", media=(card(tmp_path),)), key=KEY, reply_to=None)
    assert len(srv.received("GET", r"/api/v1/media/")) == 2 and len(srv.statuses) == 1


def test_too_many_images_is_refused_before_uploading(srv, tmp_path):
    a = adapter(srv, tmp_path)
    media = tuple(card(tmp_path, f"c{i}.png") for i in range(5))
    with pytest.raises(RejectedError, match="5 images"):
        a.publish(draft("Five", media=media), key=KEY, reply_to=None)
    assert not srv.received("POST")


# --- errors --------------------------------------------------------------------------------


def test_rate_limit_is_thrown_with_retry_after(srv, tmp_path):
    a = adapter(srv, tmp_path)
    srv.rate_limit_next(seconds=120)
    with pytest.raises(RateLimitedError) as e:
        a.publish(draft("Hello"), key=KEY, reply_to=None)
    assert 100 <= e.value.retry_after <= 125
    assert not srv.statuses


def test_unauthorized_is_an_auth_error(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", "revoked-token-xyz987654")
    a = adapter(srv, tmp_path)
    with pytest.raises(AuthError) as e:
        a.check()
    assert "revoked-token-xyz987654" not in str(e.value)
    with pytest.raises(AuthError):
        a.publish(draft("Hello"), key=KEY, reply_to=None)


def test_missing_token_names_the_variable(srv, tmp_path, monkeypatch):
    monkeypatch.delenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN")
    with pytest.raises(AuthError, match="CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN"):
        adapter(srv, tmp_path).publish(draft("Hello"), key=KEY, reply_to=None)


def test_validation_error_is_rejected_with_mastodons_message(tmp_path):
    with FakeMastodon(max_characters=20) as s:
        a = adapter(s, tmp_path)
        with pytest.raises(RejectedError, match="Text character limit of 20 exceeded"):
            a.publish(draft("This is far longer than twenty characters"), key=KEY, reply_to=None)


def test_reply_to_a_deleted_post_is_rejected(srv, tmp_path):
    with pytest.raises(RejectedError, match="not found"):
        adapter(srv, tmp_path).publish(draft("2/2"), key=KEY, reply_to=RemoteRef("999"))


def test_server_errors_and_timeouts_are_ambiguous(srv, tmp_path):
    a = adapter(srv, tmp_path, timeout=0.5)
    a.limits()
    srv.fail_next(r"POST /api/v1/statuses", 500, {"error": "boom"})
    with pytest.raises(TransientError) as e:
        a.publish(draft("One"), key=KEY, reply_to=None)
    assert e.value.ambiguous
    srv.delay_next(r"POST /api/v1/statuses", 1.5)
    with pytest.raises(TransientError) as e:
        a.publish(draft("Two"), key="3l7kxzq2abc34", reply_to=None)
    assert e.value.ambiguous and "network" in str(e.value)
    srv.drop_next(r"POST /api/v2/media")  # media upload lost: the status was never sent
    with pytest.raises(TransientError) as e:
        a.publish(draft("Three", media=(card(tmp_path),)), key="3l7kxzq2abc35", reply_to=None)
    assert not e.value.ambiguous


def test_connection_refused_is_not_ambiguous(tmp_path):
    s = FakeMastodon().start()
    a = adapter(s, tmp_path, timeout=1)
    a.limits()
    s.stop()
    with pytest.raises(TransientError) as e:
        a.publish(draft("Hello"), key=KEY, reply_to=None)
    assert not e.value.ambiguous


# --- find ----------------------------------------------------------------------------------


def test_find_matches_the_rendered_status_and_never_posts(srv, tmp_path):
    a = adapter(srv, tmp_path)
    text = ("“Europe must not recognise the Taliban.”\n— @ahmadmassoud@mastodon.social\n\n"
            "#Afghanistan #StandWithNRF\n" + LINK)
    assert a.find(draft(text), key=KEY) is None
    ref = a.publish(draft(text), key=KEY, reply_to=None)
    a.publish(draft("Another post"), key="3l7kxzq2abc36", reply_to=None)
    before = len(srv.received("POST"))
    assert a.find(draft(text), key=KEY) == ref
    assert a.find(draft("Not posted"), key="3l7kxzq2abc37") is None
    assert len(srv.received("POST")) == before
    assert srv.received("GET", r"/api/v1/accounts/1/statuses")[-1].query["limit"] == ["40"]


def test_plain_text_of_mastodon_html():
    html = render_content("a &amp; <b> " + LINK + "\nline #Tag\n\npara @x@y.social", "http://i")
    assert normalize(plain_text(html)) == normalize("a &amp; <b> " + LINK + "\nline #Tag\n\npara @x@y.social")
    assert "ellipsis" in html and "&lt;b&gt;" in html


# --- secrets -------------------------------------------------------------------------------


def test_no_token_in_errors_or_logs(srv, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    a = adapter(srv, tmp_path, timeout=0.5)
    messages = []
    for fault in (lambda: srv.fail_next(r"POST /api/v1/statuses", 401, {"error": "The access token is invalid"}),
                  lambda: srv.fail_next(r"POST /api/v1/statuses", 503, {}),
                  lambda: srv.rate_limit_next(),
                  lambda: srv.fail_next(r"POST /api/v1/statuses", 422, {"error": "Validation failed"}),
                  lambda: srv.delay_next(r"POST /api/v1/statuses", 1.0),
                  lambda: srv.drop_next(r"POST /api/v1/statuses")):
        fault()
        with pytest.raises((AuthError, RejectedError, TransientError)) as e:
            a.publish(draft("Hello"), key=KEY, reply_to=None)
        messages.append(str(e.value))
    a.publish(draft("Hello"), key=KEY, reply_to=None)
    out = capsys.readouterr()
    for text in (*messages, caplog.text, out.out, out.err):
        assert TOKEN not in text


# --- servers that speak the Mastodon API in their own ways (issue 13) -------------------------


@pytest.mark.parametrize("version", ["takahe/0.11.0", "3.5.3 (compatible; GoToSocial 0.17.0)",
                                     "2.7.2 (compatible; Akkoma 3.13.2)", "4.3.0+glitch", "", "?"])
def test_no_version_string_stops_a_post(tmp_path, version):
    with FakeMastodon(version=version) as s:
        a = adapter(s, tmp_path)
        assert a.check().handle == "@nrf@127.0.0.1"
        ref = a.publish(draft("Hello from a compatible server", media=(card(tmp_path),)), key=KEY,
                        reply_to=None)
        assert ref.id == s.posted()[0].id and s.posted()[0].media_ids
        assert s.received("POST", r"^/api/v2/media$") and not s.received("POST", r"^/api/v1/media$")
        # Mastodon.py never looked the version up (its parser raises on several of these)
        assert not s.received("GET", r"/api/v1/instance/$")


def test_compatible_version_is_read_where_there_is_one():
    from campaign.publish.adapters.mastodon import compatible_version

    assert compatible_version("4.3.0+glitch") == (4, 3, 0)
    assert compatible_version("3.5.3 (compatible; GoToSocial 0.17.0)") == (3, 5, 3)
    assert compatible_version("2.7.2 (compatible; Akkoma 3.13.2)") == (2, 7, 2)
    assert compatible_version("takahe/0.11.0") is None


def test_limits_without_the_trailing_slash(tmp_path):
    with FakeMastodon(slash_404=True, max_characters=1000, domain="social.example.org") as s:
        lim = adapter(s, tmp_path).limits()
        assert (lim.max_characters, lim.source, lim.domain) == (1000, "instance", "social.example.org")
        assert [r.path for r in s.received("GET")] == ["/api/v2/instance"]


def test_limits_from_v1_when_v2_is_missing(tmp_path):
    with FakeMastodon(max_characters=5000) as s:
        s.fail_next(r"GET /api/v2/instance", 404, {"error": "Record not found"}, times=2)
        lim = adapter(s, tmp_path).limits()
        assert lim.max_characters == 5000
        assert [r.path for r in s.received("GET")] == ["/api/v2/instance", "/api/v2/instance/",
                                                       "/api/v1/instance"]


def test_no_instance_document_means_defaults_and_the_post_goes_out(tmp_path):
    with FakeMastodon(no_instance=True) as s:
        a = adapter(s, tmp_path)
        lim = a.limits()
        assert (lim.max_characters, lim.source) == (500, "default")
        a.publish(draft("Posted all the same"), key=KEY, reply_to=None)
        assert [st.text for st in s.posted()] == ["Posted all the same"]


def test_a_bad_token_answered_400_is_a_refused_token(tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", "wrong-token-5544332211")
    with FakeMastodon.takahe() as s:
        with pytest.raises(AuthError) as e:
            adapter(s, tmp_path).check()
        text = str(e.value)
        assert "refused the access token while checking who the token belongs to" in text
        assert "the post" not in text and "wrong-token-5544332211" not in text
        for d in (draft("Hello"), draft("With a card", media=(card(tmp_path),))):
            with pytest.raises(AuthError, match="refused the access token while"):
                adapter(s, tmp_path).publish(d, key=KEY, reply_to=None)
        assert not s.statuses


def test_a_refused_token_on_mastodon_is_worded_by_what_was_done(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", "revoked-token-xyz987654")
    with pytest.raises(AuthError) as e:
        adapter(srv, tmp_path).check()
    assert "while checking who the token belongs to" in str(e.value) and "the post" not in str(e.value)


def test_check_names_the_account_as_the_server_does(tmp_path):
    with FakeMastodon(acct="campaigns", domain="example.org") as s:
        info = adapter(s, tmp_path).check()
        assert info.handle == "@campaigns@example.org"  # not the web host 127.0.0.1:PORT


def test_check_reads_the_limits_again(tmp_path):
    with FakeMastodon(max_characters=500) as s:
        a = adapter(s, tmp_path)
        assert a.limits().max_characters == 500
        s.max_characters = 800
        adapter(s, tmp_path).check()
        assert adapter(s, tmp_path).limits().max_characters == 800  # from the refreshed cache


@pytest.mark.parametrize("visibility", ["private", "direct"])
def test_find_sees_posts_hidden_from_the_account_statuses(tmp_path, visibility):
    with FakeMastodon(hide_private=True, idempotency=False) as s:
        a = adapter(s, tmp_path, visibility=visibility)
        text = "Only for followers: we stand with the Afghan resistance " + LINK
        ref = a.publish(draft(text), key=KEY, reply_to=None)
        assert a.find(draft(text), key=KEY) == ref
        assert s.received("GET", r"/api/v1/timelines/home")
        assert a.find(draft("Never posted"), key="3l7kxzq2abc40") is None


def test_find_ignores_other_accounts_posts_in_the_home_timeline(srv, tmp_path):
    a = adapter(srv, tmp_path)
    a.publish(draft("Mine"), key=KEY, reply_to=None)
    srv.acct = "someone_else"
    original = srv._status_json

    def foreign(st):
        out = original(st)
        out["account"] = dict(out["account"], id="2")
        return out

    srv._status_json = foreign  # type: ignore[method-assign]
    assert a.find(draft("Mine"), key=KEY) is None


def test_refused_as_too_long_when_urls_count_in_full(tmp_path):
    with FakeMastodon.takahe(max_characters=100) as s:
        a = adapter(s, tmp_path)
        text = "Stand with the Afghan resistance, read the speech " + LINK  # 74 with 23 per URL
        assert a.rules.fits(text)
        with pytest.raises(TooLongError) as e:
            a.publish(draft(text), key=KEY, reply_to=None)
        assert e.value.limit == 100 and "Status is too long" in str(e.value)
        assert a.limits().counts_in_full and not a.rules.fits(text)
        again = adapter(s, tmp_path)  # remembered in the cache, and kept when limits are read again
        assert not again.rules.fits(text)
        assert again.limits(refresh=True).counts_in_full and not again.rules.fits(text)
        assert not s.statuses


def test_mastodons_too_long_is_a_too_long_error(tmp_path):
    with FakeMastodon(max_characters=20) as s:
        with pytest.raises(TooLongError) as e:
            adapter(s, tmp_path).publish(draft("This is far longer than twenty characters"), key=KEY,
                                         reply_to=None)
        assert e.value.limit == 20
        assert not adapter(s, tmp_path).limits().counts_in_full  # no URL: nothing learnt


def test_media_goes_to_v1_on_a_server_without_v2(srv, tmp_path):
    srv.fail_next(r"POST /api/v2/media", 404, {"error": "Not found"})
    adapter(srv, tmp_path).publish(draft("Card", media=(card(tmp_path),)), key=KEY, reply_to=None)
    assert srv.received("POST", r"^/api/v1/media$") and len(srv.statuses) == 1


def test_timeouts_and_refused_connections_are_unreachable(tmp_path):
    s = FakeMastodon().start()
    a = adapter(s, tmp_path, timeout=0.5)
    a.limits()
    s.delay_next(r"POST /api/v1/statuses", 1.5)
    with pytest.raises(TransientError) as e:
        a.publish(draft("Slow"), key=KEY, reply_to=None)
    assert e.value.unreachable and e.value.ambiguous
    s.fail_next(r"POST /api/v1/statuses", 503, {"error": "down"})
    with pytest.raises(TransientError) as e:
        a.publish(draft("Down"), key=KEY, reply_to=None)
    assert e.value.unreachable
    s.fail_next(r"POST /api/v1/statuses", 500, {"error": "bug"})
    with pytest.raises(TransientError) as e:
        a.publish(draft("Bug"), key=KEY, reply_to=None)
    assert not e.value.unreachable
    s.stop()
    a.close()  # no kept-alive connection to a handler thread that outlives the server
    with pytest.raises(TransientError) as e:
        a.publish(draft("Gone"), key=KEY, reply_to=None)
    assert e.value.unreachable and not e.value.ambiguous
