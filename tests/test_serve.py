"""`campaign serve`: the studio's options, input limits, rate limit, render API, security
headers, the live campaign page and its review hook, without a browser (Starlette's client)."""

from __future__ import annotations

import io
import json
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner
from PIL import Image

from campaign.cards import render_card
from campaign.errors import CardError
from campaign.serve import (
    LIMITS,
    InputError,
    LiveCampaign,
    detect_language,
    parse_card_request,
    studio_options,
)
from campaign.serve.app import CSP, create_app
from campaign.serve.content import review_required, reviewed
from campaign.serve.ratelimit import RateLimiter
from tests.conftest import REPO

XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def client(app: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(app)


@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("campaign")
    shutil.copytree(REPO / "configs", root / "configs")
    return root / "configs" / "example.yaml"


def build(cfg: Any, out: Path) -> tuple[list[Any], list[Any]]:
    from campaign.pipeline import build as pipeline_build

    r = pipeline_build(cfg, out_dir=out, cards=True, jobs=1, live=False)
    return r.highlights, r.cards


@pytest.fixture(scope="module")
def live(campaign_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> LiveCampaign:
    lc = LiveCampaign(campaign_dir, build, tmp_path_factory.mktemp("work"), check_every=0.0)
    snap = lc.refresh()
    assert snap.error is None and snap.pack_index is not None
    return lc


# --- options and inputs ------------------------------------------------------------------------


def test_without_a_campaign_every_builtin_theme_and_preset() -> None:
    o = studio_options()
    assert [t.key for t in o.themes] == ["dark", "paper", "photo", "light"]
    assert o.sizes == ("square", "portrait", "landscape", "story", "og")


def test_a_campaign_offers_its_own_theme_and_sizes_unless_widened(campaign_dir: Path) -> None:
    from campaign.config import load

    cfg = load(campaign_dir)
    o = studio_options(cfg)
    assert [t.key for t in o.themes] == ["campaign"]
    assert o.sizes == ("square", "landscape")
    assert o.footer == "#StandWithNRF" and o.base_dir == campaign_dir.parent
    wide = studio_options(cfg, themes=["campaign,paper", "light"], sizes=["story"])
    assert [t.key for t in wide.themes] == ["campaign", "paper", "light"] and wide.sizes == ("story",)
    with pytest.raises(CardError, match="unknown theme neon"):
        studio_options(cfg, themes=["neon"])
    with pytest.raises(CardError):
        studio_options(cfg, sizes=["huge"])


def test_input_caps_and_allowed_lists() -> None:
    o = studio_options(themes=["dark"], sizes=["square"])
    ok = parse_card_request({"text": " Hi\x00 there ", "speaker": "A", "size": "square"}, o)
    assert ok.text == "Hi there" and ok.theme == "dark" and ok.fmt == "png"
    parse_card_request({"text": "q" * LIMITS.quote}, o)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"text": "q" * (LIMITS.quote + 1)}, "text"),
        ({"text": "q", "speaker": "n" * (LIMITS.name + 1)}, "speaker"),
        ({"text": "q", "role": "r" * (LIMITS.role + 1)}, "role"),
        ({"text": "q", "size": "portrait"}, "size"),
        ({"text": "q", "size": "4000x4000"}, "size"),
        ({"text": "q", "theme": "paper"}, "theme"),
        ({"text": "q", "theme": "/etc/passwd"}, "theme"),
        ({"text": "q", "format": "gif"}, "format"),
        ({"text": "q", "highlight": "nope"}, "highlight"),
        ({"text": "q", "logo": "/etc/passwd"}, "logo"),
        ({"text": "q", "image": "http://169.254.169.254/"}, "image"),
        ({"text": ["q"]}, "text"),
        ({"text": "   "}, "text"),
        ({}, "text"),
    ]
    for body, field in bad:
        with pytest.raises(InputError) as e:
            parse_card_request(body, o)
        assert e.value.field == field, body
    with pytest.raises(InputError):
        parse_card_request(["text"], o)


def test_the_language_follows_the_text() -> None:
    assert detect_language("ما تسلیم نمی‌شویم") == "fa"
    assert detect_language("نحن لن نستسلم أبدا") == "ar"
    assert detect_language("موږ به تسلیم نه شو، ټول یو ځای") == "ps"
    assert detect_language("אנחנו לא נוותר") == "he"
    assert detect_language("We will not give in") == "en"
    assert detect_language("Nous ne céderons pas", "fr") == "fr"
    assert detect_language("Latin text in a Persian campaign", "fa") == "en"


def test_rate_limiter_refills_and_stays_bounded() -> None:
    now = [0.0]
    rl = RateLimiter(60, burst=2, max_clients=3, clock=lambda: now[0])
    assert rl.take("a") == 0 and rl.take("a") == 0
    assert rl.take("a") == pytest.approx(1.0)
    now[0] += 1.0
    assert rl.take("a") == 0
    for c in "bcdef":
        rl.take(c)
    assert len(rl) == 3


# --- the API ----------------------------------------------------------------------------------


def test_render_is_the_cli_engine_with_alt_text_and_headers() -> None:
    app = create_app(studio_options())
    c = client(app)
    body = {"text": "We will not be silenced.", "speaker": "Ahmad Massoud", "role": "Leader",
            "size": "landscape", "theme": "paper"}
    r = c.post("/api/card", json=body)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    assert img.format == "PNG" and img.size == (1200, 675)
    alt = unquote(r.headers["x-alt-text"])
    same, same_alt = render_card(body["text"], speaker="Ahmad Massoud", role="Leader", theme="paper",
                                 size="landscape")
    assert r.content == same and alt == same_alt
    assert "“We will not be silenced.” — Ahmad Massoud, Leader." in alt
    assert r.headers["x-card-direction"] == "ltr"
    assert r.headers["content-security-policy"] == CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    j = c.post("/api/card", json={**body, "format": "jpeg"})
    assert j.headers["content-type"] == "image/jpeg" and j.content[:3] == b"\xff\xd8\xff"


def test_a_persian_quote_is_drawn_right_to_left() -> None:
    c = client(create_app(studio_options(themes=["light"], sizes=["landscape"])))
    ink = {}
    for text in ("ما تسلیم نمی‌شویم", "We stand"):
        r = c.post("/api/card", json={"text": text})
        assert r.status_code == 200
        img = Image.open(io.BytesIO(r.content)).convert("L")
        box = img.point(lambda v: 255 if v < 100 else 0).getbbox()  # the dark text on light
        assert box
        ink[text] = box
        if text.startswith("ما"):
            assert r.headers["x-card-direction"] == "rtl" and r.headers["x-card-language"] == "fa"
    w = 1200
    fa, en = ink["ما تسلیم نمی‌شویم"], ink["We stand"]
    assert w - fa[2] < fa[0]  # Persian hugs the right edge
    assert en[0] < w - en[2]  # English the left


def test_refusals_say_why_and_cost_no_render(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(studio_options(sizes=["square"]))
    c = client(app)
    drawn: list[Any] = []
    real = app.state.renderer.draw
    monkeypatch.setattr(app.state.renderer, "draw", lambda req: drawn.append(req) or real(req))
    r = c.post("/api/card", content=b"text=hi", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = c.post("/api/card", content=b"x" * (LIMITS.body + 1), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = c.post("/api/card", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    r = c.post("/api/card", json={"text": "q" * 601})
    assert r.status_code == 400 and r.json()["field"] == "text"
    r = c.post("/api/card", json={"text": "q", "size": "../../etc/passwd"})
    assert r.status_code == 400 and r.json()["field"] == "size"
    assert drawn == []
    assert c.get("/api/card").status_code == 405


def test_rate_limit_per_client() -> None:
    app = create_app(studio_options(renders_per_minute=3))
    c = client(app)
    codes = [c.post("/api/card", json={"text": f"quote {i}"}).status_code for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    r = c.post("/api/card", json={"text": "again"})
    assert int(r.headers["retry-after"]) >= 1


def test_a_slow_render_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    o = replace(studio_options(), render_timeout=0.2)
    app = create_app(o)
    monkeypatch.setattr(app.state.renderer, "draw", lambda req: time.sleep(1.0))
    r = client(app).post("/api/card", json={"text": "slow"})
    assert r.status_code == 503 and "too long" in r.json()["error"]


def test_a_quote_that_cannot_fit_is_a_clear_422() -> None:
    c = client(create_app(studio_options(sizes=["og"])))
    r = c.post("/api/card", json={"text": "Longwordwithoutanyspaces" * 25, "speaker": "X"})
    assert r.status_code in (200, 422)
    if r.status_code == 422:
        assert "shorten" in r.json()["error"]


def test_xss_canaries_stay_text_in_the_studio_page(live: LiveCampaign) -> None:
    c = client(create_app(studio_options(), live))
    r = c.post("/api/card", json={"text": XSS, "speaker": XSS[:120], "role": XSS[:120]})
    assert r.status_code == 200
    assert "<script>" in unquote(r.headers["x-alt-text"])  # the alt text is data, shown via .value
    page = c.get("/").text
    assert "<script>alert" not in page and "onerror=" not in page.replace('onerror=&#34;', "")


def test_the_pages_carry_a_strict_policy_and_make_no_outside_request(live: LiveCampaign) -> None:
    c = client(create_app(studio_options(), live))
    page = c.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "default-src 'none'" in CSP and "script-src 'self'" in CSP and "unsafe" not in CSP
    assert "http://" not in page.text and "https://" not in page.text
    data = json.loads(page.text.split('id="studio-data">')[1].split("</script>")[0])
    assert len(data["highlights"]) == len(live.snapshot().highlights)
    for name in ("studio.js", "studio.css"):
        asset = c.get(f"/static/{name}")
        assert asset.status_code == 200 and "http" not in asset.text.replace("https://", "")
    for probe in ("/static/../content.py", "/static/%2e%2e/content.py", "/campaign/images/..%2F..%2Fetc%2Fpasswd",
                  "/campaign/images/%2Fetc%2Fpasswd", "/static/../../../etc/passwd"):
        assert c.get(probe).status_code == 404, probe


def test_the_campaign_page_is_the_pack_served_live(live: LiveCampaign, campaign_dir: Path) -> None:
    c = client(create_app(studio_options(), live))
    r = c.get("/campaign/")
    assert r.status_code == 200 and "Copy" in r.text
    assert "script-src 'sha256-" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    names = sorted(live.snapshot().images)
    assert names and f'images/{names[0]}' in r.text
    img = c.get(f"/campaign/images/{names[0]}")
    assert img.status_code == 200 and img.content[:8] == b"\x89PNG\r\n\x1a\n"
    # the organizer edits the YAML: the page follows without a restart
    before = live.snapshot().built_at
    yaml = campaign_dir.read_text(encoding="utf-8")
    campaign_dir.write_text(yaml.replace("count: 6", "count: 3"), encoding="utf-8")
    try:
        deadline = time.monotonic() + 60
        while live.snapshot().built_at == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(live.snapshot().highlights) == 3
        assert c.get("/healthz").json()["highlights"] == 3
    finally:
        campaign_dir.write_text(yaml, encoding="utf-8")
        live.refresh()


def test_an_edited_article_is_noticed_too(live: LiveCampaign, campaign_dir: Path) -> None:
    article = campaign_dir.parent / "examples" / "nrf-strasbourg-article.txt"
    assert article.is_file()
    text = article.read_text(encoding="utf-8")
    before = live.snapshot().built_at
    article.write_text(text + "\n", encoding="utf-8")
    try:
        deadline = time.monotonic() + 60
        while live.snapshot().built_at == before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert live.snapshot().built_at != before and live.snapshot().error is None
    finally:
        article.write_text(text, encoding="utf-8")
        live.refresh()


def test_a_broken_edit_keeps_the_last_good_build(live: LiveCampaign, campaign_dir: Path) -> None:
    yaml = campaign_dir.read_text(encoding="utf-8")
    good = live.snapshot()
    campaign_dir.write_text(yaml.replace("timezone: Europe/Paris", "timezone: Europe/Pariss", 1),
                            encoding="utf-8")
    try:
        snap = live.refresh()
        assert snap.error and "Pariss" in snap.error
        assert snap.highlights == good.highlights and snap.pack_index == good.pack_index
    finally:
        campaign_dir.write_text(yaml, encoding="utf-8")
        assert live.refresh().error is None


def test_the_studio_credits_only_confident_or_pinned_speakers(live: LiveCampaign, campaign_dir: Path) -> None:
    from campaign.config import load
    from campaign.pipeline import chosen_highlights

    _, hs = chosen_highlights(load(campaign_dir))
    shown = {h["id"]: h for h in live.snapshot().highlights}
    for h in hs:
        if h.kind == "quote":
            assert shown[h.id]["speaker"] == h.credited
        else:
            assert shown[h.id]["speaker"] is None and shown[h.id]["source"]


def test_review_required_fails_closed_until_approved(campaign_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.config import load
    from campaign.pipeline import chosen_highlights

    cfg = load(campaign_dir)
    _, hs = chosen_highlights(cfg)
    assert not review_required(cfg) and reviewed(cfg, hs, None) == hs
    monkeypatch.setattr("campaign.serve.content.review_required", lambda cfg: True)
    assert reviewed(cfg, hs, None) == []
    assert reviewed(cfg, hs, lambda h: h.id == hs[0].id) == [hs[0]]


# --- the command --------------------------------------------------------------------------------


def test_cli_serve_builds_and_runs_the_app(campaign_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.cli import cli

    seen: dict[str, Any] = {}

    def fake_serve(app: Any, *, host: str, port: int, proxy: bool) -> None:
        seen.update(host=host, port=port, proxy=proxy)
        c = client(app)
        seen["health"] = c.get("/healthz").json()
        seen["campaign"] = c.get("/campaign/").status_code

    monkeypatch.setattr("campaign.serve.app.serve", fake_serve)
    r = CliRunner().invoke(cli, ["serve", str(campaign_dir), "--port", "8123", "--themes", "campaign,paper"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123 and seen["proxy"] is False
    assert seen["health"]["campaign"] and seen["health"]["highlights"] == 6 and seen["campaign"] == 200
    assert "http://127.0.0.1:8123/" in r.stderr


def test_cli_serve_refuses_unknown_theme_and_needs_no_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.cli import cli

    r = CliRunner().invoke(cli, ["serve", "--themes", "neon"])
    assert r.exit_code != 0 and "unknown theme neon" in r.stderr
    ran: list[Any] = []
    monkeypatch.setattr("campaign.serve.app.serve", lambda app, **kw: ran.append(kw))
    r = CliRunner().invoke(cli, ["serve", "--host", "::1", "--port", "9000"], catch_exceptions=False)
    assert r.exit_code == 0 and ran == [{"host": "::1", "port": 9000, "proxy": False}]
    assert "http://[::1]:9000/" in r.stderr
