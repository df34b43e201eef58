"""The Mastodon adapter: the real Mastodon.py over real HTTP against a loopback instance."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from campaign.errors import AuthError, RateLimitedError, RejectedError, TransientError
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
        assert [r.path for r in s.received()] == ["/api/v2/instance/"]
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
