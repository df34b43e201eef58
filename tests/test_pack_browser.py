"""The volunteer pack in a real browser: Debian's Chromium, headless, driven by Playwright.

The pack is opened from disk (file://) with every non-file request blocked, so nothing can
reach the network. Screenshots at phone and desktop widths go to a temporary folder, and
also to `$PACK_SCREENSHOTS` (e.g. `PACK_SCREENSHOTS=docs/pack`) when it is set; the test
guard strips `CAMPAIGN_*` variables, hence the name.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import EXAMPLE, REPO
from tests.helpers import RTL, WINDOW, XSS, needs_chromium, write_sample

pytestmark = needs_chromium
INTENTS = {"x": ("x.com", "/intent/post"), "bluesky": ("bsky.app", "/intent/compose")}


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """Hand-made posts: a thread, an XSS attempt, a right-to-left quote, three card sizes."""
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example campaign's pack, built by `campaign pack` as a user would."""
    from click.testing import CliRunner

    from campaign.cli import cli

    out = tmp_path_factory.mktemp("example") / "pack"
    result = CliRunner().invoke(cli, ["pack", str(EXAMPLE), "-o", str(out), "--zip", "--jobs", "2"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    index = out / "index.html"
    assert str(index) in result.stdout.splitlines()
    return index


class Page:
    """A page with every outside request refused and recorded, errors and dialogs collected."""

    def __init__(self, browser: Any, url: str, *, width: int = 1280, height: int = 900,
                 clipboard: bool = True, init: str | None = None, zone: str = "Asia/Kabul",
                 bypass_csp: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           timezone_id=zone, locale="en-GB", bypass_csp=bypass_csp)
        if clipboard:
            self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        if init:
            self.context.add_init_script(init)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("dialog", self._dialog)
        self.page.goto(url)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check_clean(self) -> None:
        assert self.blocked == [], "the page tried to reach the network"
        assert self.errors == [], "script errors"
        assert self.dialogs == [], "a dialog opened (injected script?)"
        assert self.page.evaluate("window.__xss") is None

    def load_images(self) -> None:
        self.page.evaluate("""() => Promise.all(Array.from(document.images, img => {
            img.loading = 'eager'; return img.decode().catch(() => null); }))""")

    def close(self) -> None:
        self.context.close()


def _open(browser: Any, index: Path, **kw: Any) -> Page:
    return Page(browser, index.as_uri(), **kw)


def _parts(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(".part", """els => els.map(el => ({
        platform: el.dataset.platform, length: el.dataset.length, limit: el.dataset.limit,
        id: el.querySelector('textarea').id, text: el.querySelector('textarea').value,
        share: (el.querySelector('[data-share]') || {}).href || ''}))""")


def _intent_text(href: str, platform: str) -> str:
    url = urlsplit(href)
    assert (url.scheme, url.netloc, url.path) == ("https", *INTENTS[platform])
    params = parse_qs(url.query, keep_blank_values=True)
    assert list(params) == ["text"] and len(params["text"]) == 1
    return params["text"][0]


# --- the example campaign ------------------------------------------------------------------


def test_example_pack_every_post_card_and_intent(browser: Any, example: Path) -> None:
    import json

    cards_alt = {p.name: p for p in (example.parent / "images").iterdir()}
    p = _open(browser, example)
    page = p.page
    try:
        parts = _parts(page)
        platforms = {x["platform"] for x in parts}
        assert platforms == {"x", "mastodon", "bluesky"}
        counts = {k: sum(1 for x in parts if x["platform"] == k) for k in platforms}
        posts = page.eval_on_selector_all(".post", "els => els.length")
        assert posts >= 3 * 3 and min(counts.values()) >= 3
        # counts shown are the platform's own, and within the limit
        for x in parts:
            assert 0 < int(x["length"]) <= int(x["limit"]), x
            shown = page.text_content(f"#{x['id']}-count .count-num")
            assert shown == x["length"]
            if x["platform"] in INTENTS:
                assert _intent_text(x["share"], x["platform"]) == x["text"]
        # every card image is on the page, loaded, with its alt text and a download link
        p.load_images()
        imgs = page.eval_on_selector_all(".card-item img", """els => els.map(i => ({
            src: i.getAttribute('src'), alt: i.alt, w: i.naturalWidth}))""")
        assert {Path(i["src"]).name for i in imgs} == set(cards_alt)
        assert all(i["w"] > 0 and i["alt"] for i in imgs)
        downloads = page.eval_on_selector_all(".card-item a[download]", "els => els.map(a => a.getAttribute('href'))")
        assert sorted(downloads) == sorted(i["src"] for i in imgs)
        # the zip beside it holds the same site
        import zipfile

        with zipfile.ZipFile(example.parent / "nrf-strasbourg-pack.zip") as zf:
            assert len(zf.namelist()) == 1 + len(cards_alt)
        # the brief: title, article link, window in both zones, hashtags, handles
        assert page.text_content("h1") == "Stand with the Afghan resistance"
        assert page.get_attribute(".article-link", "href") == "https://example.org/news/nrf-leader-addresses-european-union"
        assert page.is_visible("#window-local-text")
        assert "Kabul" in page.text_content("#window-local-text")
        for text in ("#StandWithNRF", "@AhmadMassoud01", "@ahmadmassoud@mastodon.social"):
            assert page.locator(f'[data-copy-text="{text}"]').count() >= 1
        json.dumps(counts)
        p.check_clean()
        _screenshots(browser, example, "pack", publish=True)
    finally:
        p.close()


def _screenshots(browser: Any, index: Path, name: str, *, publish: bool = False) -> None:
    """Phone and desktop, full page, into a tmp folder (and `$PACK_SCREENSHOTS` if `publish`)."""
    target = os.environ.get("PACK_SCREENSHOTS") if publish else None
    out = index.parent.parent / "screenshots"
    out.mkdir(exist_ok=True)
    for label, width in (("phone", 390), ("desktop", 1280)):
        p = _open(browser, index, width=width, height=844 if width < 600 else 900, zone="America/New_York")
        try:
            p.load_images()
            overflow = p.page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"the page is wider than the {label} screen ({overflow}px)"
            shot = out / f"{name}-{label}.png"
            p.page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            if target:
                dest = Path(target) if Path(target).is_absolute() else REPO / target
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, dest / shot.name)
            p.check_clean()
        finally:
            p.close()


def _wait_clipboard(page: Any, text: str) -> None:
    page.wait_for_function("async t => (await navigator.clipboard.readText()) === t", arg=text)


# --- copying -------------------------------------------------------------------------------


def test_copy_writes_the_post_to_the_clipboard(browser: Any, sample: tuple[Any, Path]) -> None:
    s, index = sample
    p = _open(browser, index)
    page = p.page
    try:
        first = s.drafts[0]  # the X thread
        button = page.locator(".platform-x .btn-copy").first
        button.click()
        page.wait_for_function("() => document.getElementById('announcer').textContent === 'Copied!'")
        assert page.evaluate("navigator.clipboard.readText()") == first.parts[0]
        assert button.locator(".btn-label").text_content() == "Copied!"
        # part 2 of the thread, by keyboard
        second = page.locator(".platform-x .btn-copy").nth(1)
        second.focus()
        page.keyboard.press("Enter")
        _wait_clipboard(page, first.parts[1])
        # a hashtag chip and the card description (alt text)
        page.click('.panel-tags [data-copy-text="#StandWithNRF"]')
        _wait_clipboard(page, "#StandWithNRF")
        alt = s.cards[0].alt
        page.locator(f"#images-{s.cards[0].highlight_id} .alt-box button").click()
        _wait_clipboard(page, alt)
        p.check_clean()
    finally:
        p.close()


STUB = """
window.__copied = [];
Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {
    writeText: (t) => { window.__copied.push(t); return Promise.resolve(); }}});
"""

# No clipboard API (as on some file:// pages): the page must fall back to execCommand('copy').
NO_API = """
window.__realClipboard = navigator.clipboard;
window.__fallback = [];
Object.defineProperty(navigator, 'clipboard', {configurable: true, value: undefined});
const realExec = document.execCommand.bind(document);
document.execCommand = function (command) {
    const el = document.activeElement;
    if (command === 'copy' && el && 'value' in el) window.__fallback.push(el.value.slice(el.selectionStart, el.selectionEnd));
    return realExec.apply(null, arguments);
};
"""


def test_copy_with_a_stubbed_clipboard_and_without_one(browser: Any, sample: tuple[Any, Path]) -> None:
    s, index = sample
    rtl = next(d for d in s.drafts if d.platform == "bluesky" and d.language == "fa")
    p = _open(browser, index, clipboard=False, init=STUB)
    try:
        p.page.click("#tab-bluesky")
        p.page.locator(f"#post-bluesky-{rtl.highlight_id} .btn-copy").click()
        p.page.wait_for_function("() => window.__copied.length === 1")
        assert p.page.evaluate("window.__copied") == [rtl.parts[0]]
        p.check_clean()
    finally:
        p.close()
    p = _open(browser, index, clipboard=True, init=NO_API)
    try:
        assert p.page.evaluate("navigator.clipboard") is None
        p.page.click("#tab-bluesky")
        p.page.locator(f"#post-bluesky-{rtl.highlight_id} .btn-copy").click()
        p.page.wait_for_function("() => window.__fallback.length === 1")
        assert p.page.evaluate("window.__fallback") == [rtl.parts[0]]
        assert p.page.evaluate("window.__realClipboard.readText()") == rtl.parts[0]
        assert p.page.text_content("#announcer") == "Copied!"
        assert p.page.locator(".clip-helper").count() == 0  # the helper is gone
        p.check_clean()
    finally:
        p.close()


# --- share links, counts, editing ----------------------------------------------------------


def test_intents_decode_to_exactly_the_text_and_follow_edits(browser: Any, sample: tuple[Any, Path]) -> None:
    s, index = sample
    p = _open(browser, index)
    page = p.page
    try:
        parts = _parts(page)
        assert sorted((x["platform"], x["text"]) for x in parts) == sorted(
            (d.platform, t) for d in s.drafts for t in d.parts)
        later = {t for d in s.drafts for t in d.parts[1:]}  # thread replies: no share link
        for x in parts:
            if x["platform"] in INTENTS:
                assert (x["share"] == "") == (x["text"] in later), x
                if x["share"]:
                    assert _intent_text(x["share"], x["platform"]) == x["text"]
        # edit a Bluesky post: the count becomes an estimate, the intent follows, undo restores
        target = next(x for x in parts if x["platform"] == "bluesky")
        page.click("#tab-bluesky")
        area = page.locator(f"#{target['id']}")
        area.fill("Hello from a volunteer 👋🏽 https://example.org/x")
        count = page.locator(f"#{target['id']}-count")
        assert count.locator(".count-num").text_content() == str(len("Hello from a volunteer ") + 1 + 1 + len("https://example.org/x"))
        assert count.locator(".count-note").is_visible()
        share = page.locator(f'[data-source="{target["id"]}"]').get_attribute("href")
        assert _intent_text(share, "bluesky") == "Hello from a volunteer 👋🏽 https://example.org/x"
        page.click(f'[data-reset="{target["id"]}"]')
        assert area.input_value() == target["text"]
        assert count.locator(".count-num").text_content() == target["length"]
        assert not count.locator(".count-note").is_visible()
        # X counts links as 23 and CJK as 2
        xpart = next(x for x in parts if x["platform"] == "x")
        page.click("#tab-x")
        page.locator(f"#{xpart['id']}").fill("https://example.org/a/very/long/path/indeed 日本")
        assert page.text_content(f"#{xpart['id']}-count .count-num") == str(23 + 1 + 4)
        # over the limit shows as such
        page.locator(f"#{xpart['id']}").fill("a" * 300)
        assert "is-over" in (page.get_attribute(f"#{xpart['id']}-count", "class") or "")
        p.check_clean()
    finally:
        p.close()


def test_mastodon_server_is_asked_validated_and_remembered(browser: Any, sample: tuple[Any, Path]) -> None:
    s, index = sample
    p = _open(browser, index)
    page = p.page
    try:
        page.click("#tab-mastodon")
        share = page.locator('.platform-mastodon [data-share="mastodon"]').first
        assert share.get_attribute("href") == "#mastodon-server"
        share.click()  # no server yet: asks for one instead of leaving the page
        assert page.evaluate("document.activeElement.id") == "mastodon-host"
        assert page.is_visible("#mastodon-host-error")
        for bad in ("evil.com/x?y", "javascript:alert(1)", "javascript:", "https://evil.com/share?x=",
                    "user:pass@evil.com", "evil.com:8080", "localhost", "-bad.example", "a b.social", ""):
            page.fill("#mastodon-host", bad)
            page.click("#mastodon-form button[type=submit]")
            assert page.is_visible("#mastodon-host-error"), bad
            assert page.get_attribute("#mastodon-host", "aria-invalid") == "true"
            assert share.get_attribute("href") == "#mastodon-server", bad
            assert page.evaluate("localStorage.getItem('campaign-pack:mastodon-host')") is None
        cases = {"Mastodon.Social": "mastodon.social", "https://eldritch.cafe/": "eldritch.cafe",
                 "@me@fosstodon.org": "fosstodon.org", "social.bund.de": "social.bund.de",
                 "mastodon.xn--y9a3aq": "mastodon.xn--y9a3aq", "evil.com/x?y": None, "javascript:": None,
                 "ftp://x.org": None, "x.org#frag": None, "x..org": None}
        for raw, want in cases.items():
            assert page.evaluate("h => window.campaignPackHost(h)", raw) == want, raw
        page.fill("#mastodon-host", "https://Mastodon.Social/")
        page.press("#mastodon-host", "Enter")
        assert page.text_content("#mastodon-current") == "mastodon.social"
        assert page.is_hidden("#mastodon-form")
        for x in _parts(page):
            if x["platform"] == "mastodon":
                url = urlsplit(x["share"])
                assert (url.scheme, url.netloc, url.path) == ("https", "mastodon.social", "/share")
                assert parse_qs(url.query) == {"text": [x["text"]]}
        # remembered on reload, and changeable
        page.reload()
        page.click("#tab-mastodon")
        assert page.text_content("#mastodon-current") == "mastodon.social"
        assert share.get_attribute("href").startswith("https://mastodon.social/share?text=")
        page.click("#mastodon-change")
        assert page.is_visible("#mastodon-form")
        assert share.get_attribute("href") == "#mastodon-server"
        p.check_clean()
    finally:
        p.close()


# --- safety, language, keyboard --------------------------------------------------------------


@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_xss_quote_is_text_and_nothing_runs(browser: Any, sample: tuple[Any, Path], csp: bool) -> None:
    s, index = sample
    p = _open(browser, index, bypass_csp=not csp)
    page = p.page
    try:
        xss = next(h for h in s.highlights if h.text == XSS)
        for key in ("x", "mastodon", "bluesky"):
            page.click(f"#tab-{key}")
            post = page.locator(f"#post-{key}-{xss.id}")
            post.locator("textarea").hover()
            post.locator(".post-title").hover()
            assert XSS in post.locator("textarea").input_value()
            assert "A <b>bold</b> speaker" in post.locator(".post-title").text_content()
            assert post.locator("b, script, [onmouseover]").count() == 0
        group = page.locator(f"#images-{xss.id}")
        group.locator(".card-quote").hover()
        assert group.locator(".card-quote").text_content() == XSS
        assert XSS in group.locator(".alt-text").text_content()
        assert page.locator("script").count() == 1
        assert page.evaluate("document.querySelectorAll('[onmouseover], [onerror], [onclick]').length") == 0
        p.check_clean()
    finally:
        p.close()


def test_language_direction_tabs_and_local_time(browser: Any, sample: tuple[Any, Path]) -> None:
    s, index = sample
    p = _open(browser, index)
    page = p.page
    try:
        rtl = next(h for h in s.highlights if h.text == RTL)
        area = page.locator(f"#post-x-{rtl.id} textarea")
        assert area.get_attribute("dir") == "auto" and area.get_attribute("lang") == "fa"
        assert page.evaluate("el => getComputedStyle(el).direction", area.element_handle()) in ("rtl", "ltr")
        assert page.locator(f"#images-{rtl.id} .card-quote").get_attribute("dir") == "auto"
        # the window in the visitor's zone (Kabul, +04:30): 08:00Z is 12:30, 17:00Z is 21:30
        local = page.text_content("#window-local-text")
        assert "12:30" in local and "21:30" in local and "Kabul" in local, local
        assert WINDOW[0].hour == 8
        # tabs: one panel at a time, arrows move, the choice is remembered
        assert page.is_visible("#panel-x") and page.is_hidden("#panel-mastodon")
        page.focus("#tab-x")
        page.keyboard.press("ArrowRight")
        assert page.evaluate("document.activeElement.id") == "tab-mastodon"
        assert page.is_visible("#panel-mastodon") and page.is_hidden("#panel-x")
        page.keyboard.press("End")
        assert page.get_attribute("#tab-bluesky", "aria-selected") == "true"
        page.reload()
        assert page.is_visible("#panel-bluesky")
        # every control is a real button or link with a name, and focus is visible
        unnamed = page.evaluate("""() => Array.from(document.querySelectorAll('button, a[href]'))
            .filter(e => !e.textContent.trim() && !e.getAttribute('aria-label')).length""")
        assert unnamed == 0
        page.focus("#tab-bluesky")
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        p.check_clean()
    finally:
        p.close()


def test_sample_screenshots(browser: Any, sample: tuple[Any, Path]) -> None:
    _, index = sample
    _screenshots(browser, index, "sample")
