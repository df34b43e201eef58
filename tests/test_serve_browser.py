"""The studio in a real browser: Debian's Chromium, headless, driven by Playwright, against
`campaign serve`'s app under uvicorn on a free loopback port.

Every request to anything but that server is refused and recorded. axe-core (from the npm
registry, installed by tests/axe/install.sh into a cache folder) checks accessibility.
Screenshots go to a temporary folder, and to `$SERVE_SCREENSHOTS` (e.g. docs/serve) when set.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.conftest import REPO
from tests.helpers import needs_chromium

pytestmark = needs_chromium
CANARY = '<img src=x onerror="window.__xss=1">"><script>window.__xss=2</script>'
PERSIAN = "ما هرگز در برابر طالبان تسلیم نمی‌شویم"
_REAL_CACHE = Path(os.environ.get("AXE_REAL_HOME", str(Path("~").expanduser())))


# --- fixtures ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example campaign's studio, themes and sizes widened, under uvicorn in a thread."""
    import uvicorn

    from campaign.config import load
    from campaign.pipeline import build
    from campaign.serve import LiveCampaign, studio_options
    from campaign.serve.app import create_app

    root = tmp_path_factory.mktemp("campaign")
    shutil.copytree(REPO / "configs", root / "configs")
    config = root / "configs" / "example.yaml"

    def builder(cfg: Any, out: Path) -> tuple[list[Any], list[Any]]:
        r = build(cfg, out_dir=out, cards=True, jobs=1, live=False)
        return r.highlights, r.cards

    live = LiveCampaign(config, builder, tmp_path_factory.mktemp("work"))
    assert live.refresh().error is None
    options = studio_options(load(config), themes=["campaign,paper,light"],
                             sizes=["square,landscape,story"], renders_per_minute=600)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(options, live), host="127.0.0.1", port=port,
                                        log_level="warning", server_header=False))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the studio did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    assert not thread.is_alive(), "the studio did not stop"


@pytest.fixture(scope="module")
def axe_source() -> str:
    where = os.environ.get("AXE_TEST_DIR")
    if not where:
        env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
        env["HOME"] = str(_real_home())
        where = subprocess.run(["bash", str(REPO / "tests/axe/install.sh"), "--where"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
    js = Path(where) / "node_modules" / "axe-core" / "axe.min.js"
    if not js.is_file():
        if os.environ.get("AXE_TEST_REQUIRED"):
            pytest.fail(f"axe-core is not installed at {js} (bash tests/axe/install.sh)")
        pytest.skip(f"axe-core is not installed at {js} (bash tests/axe/install.sh)")
    return js.read_text(encoding="utf-8")


def _real_home() -> Path:
    from tests import conftest

    return Path(getattr(conftest, "_REAL_HOME", Path.home()))


class Page:
    """A page on the studio with every other request refused, errors and dialogs collected."""

    def __init__(self, browser: Any, base: str, path: str = "/", *, width: int = 1280,
                 height: int = 900, bypass_csp: bool = False, has_touch: bool = False) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB",
                                           accept_downloads=True, bypass_csp=bypass_csp,
                                           has_touch=has_touch)
        self.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("dialog", self._dialog)
        self.page.goto(base + path)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base + "/") or url.startswith("blob:" + self.base):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def preview_after(self, action: Any) -> dict[str, Any]:
        """Run `action`, wait for the preview it causes; its src, size, alt and status."""
        old = self.page.get_attribute("#preview", "src")
        action()
        self.page.wait_for_function(
            "old => { const i = document.getElementById('preview');"
            " return !i.hidden && i.src && i.src !== old && i.complete && i.naturalWidth > 0"
            " && !document.getElementById('preview-frame').hasAttribute('aria-busy'); }",
            arg=old, timeout=30000)
        return self.page.evaluate("""() => { const i = document.getElementById('preview');
            return {src: i.src, w: i.naturalWidth, h: i.naturalHeight, alt: i.alt,
                    altText: document.getElementById('alt').value,
                    dir: i.getAttribute('dir'),
                    status: document.getElementById('status').textContent}; }""")

    def ready(self) -> None:
        """Wait for the first preview (drawn on load from the first highlight)."""
        self.page.wait_for_function(
            "() => { const i = document.getElementById('preview');"
            " return !i.hidden && i.complete && i.naturalWidth > 0"
            " && !document.getElementById('preview-frame').hasAttribute('aria-busy'); }", timeout=30000)

    def check_clean(self) -> None:
        assert self.blocked == [], "the page tried to reach another host"
        assert self.errors == [], "script errors"
        assert self.dialogs == [], "a dialog opened (injected script?)"
        assert self.page.evaluate("window.__xss") is None

    def no_horizontal_scroll(self) -> None:
        sw, cw = self.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert sw <= cw, f"horizontal scroll: {sw} > {cw}"

    def close(self) -> None:
        self.context.close()


def _shot(p: Page, tmp: Path, name: str, full: bool = False, selector: str | None = None) -> Path:
    path = tmp / name
    if selector:
        p.page.locator(selector).screenshot(path=str(path))
    else:
        p.page.screenshot(path=str(path), full_page=full)
    out = os.environ.get("SERVE_SCREENSHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(out) / name)
    return path


# --- tests ---------------------------------------------------------------------------------------


def test_type_a_quote_preview_download_png_and_alt(browser: Any, server: str, tmp_path: Path) -> None:
    from campaign.cards import render_card

    p = Page(browser, server)
    page = p.page
    p.ready()
    page.select_option("#highlight", "")
    quote = "Freedom is not given. It is won, together, every single day."
    page.fill("#speaker", "Roya Rahmani")
    page.fill("#role", "Former ambassador")
    page.check("input[name=size][value=landscape]")
    page.check("input[name=theme][value=paper]")
    shown = p.preview_after(lambda: page.fill("#quote", quote))
    assert (shown["w"], shown["h"]) == (1200, 675)
    assert quote in shown["altText"] and "Roya Rahmani, Former ambassador" in shown["altText"]
    assert shown["alt"] == shown["altText"] and shown["dir"] == "ltr"
    with page.expect_download() as dl:
        page.click("#download")
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    assert path.name == "card-landscape.png"
    data = path.read_bytes()
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (1200, 675)
    same, alt = render_card(quote, speaker="Roya Rahmani", role="Former ambassador", theme="paper",
                            size="landscape", footer="#StandWithNRF")
    assert data == same and alt == shown["altText"]
    # the alt text is editable, and what the image carries follows the edit
    page.fill("#alt", "My own description of the card.")
    assert page.get_attribute("#preview", "alt") == "My own description of the card."
    page.click("#reset-alt")
    assert page.input_value("#alt") == alt
    page.click("#copy-alt")
    assert page.evaluate("navigator.clipboard.readText()") == alt
    # JPEG where asked
    jpeg = p.preview_after(lambda: page.check("input[name=format][value=jpeg]"))
    assert "JPG" in page.text_content("#download") and jpeg["w"] == 1200
    p.check_clean()
    p.close()


def test_picking_a_highlight_fills_the_fields_and_credits_only_the_credited(browser: Any, server: str) -> None:
    p = Page(browser, server)
    page = p.page
    options = page.eval_on_selector_all("#highlight option", "os => os.map(o => o.value).filter(Boolean)")
    assert len(options) == 6
    data = page.evaluate("JSON.parse(document.getElementById('studio-data').textContent)")
    second = data["highlights"][1]
    shown = p.preview_after(lambda: page.select_option("#highlight", second["id"]))
    assert page.input_value("#quote") == second["text"]
    assert page.input_value("#speaker") == (second["speaker"] or "")
    assert shown["w"] == 1080
    p.check_clean()
    p.close()


def test_a_persian_quote_renders_right_to_left(browser: Any, server: str, tmp_path: Path) -> None:
    p = Page(browser, server)
    page = p.page
    page.select_option("#highlight", "")
    page.fill("#speaker", "احمد مسعود")
    page.fill("#role", "")
    shown = p.preview_after(lambda: page.fill("#quote", PERSIAN))
    assert shown["dir"] == "rtl" and "right to left" in shown["status"]
    assert page.get_attribute("#preview", "lang") == "fa"
    assert page.eval_on_selector("#status", "el => getComputedStyle(el).direction") == "ltr"
    assert page.eval_on_selector("#quote", "el => getComputedStyle(el).direction") == "rtl"
    assert PERSIAN in shown["altText"] and "احمد مسعود" in shown["altText"]
    with page.expect_download() as dl:
        page.click("#download")
    img = Image.open(dl.value.path()).convert("L")
    w = img.width
    box = img.point(lambda v: 255 if v > 200 else 0).crop((0, 0, w, int(img.height * 0.6))).getbbox()
    assert box and w - box[2] < box[0], "the Persian text should hug the right edge"
    _shot(p, tmp_path, "studio-persian.png", selector=".result")
    p.check_clean()
    p.close()


def test_keyboard_only(browser: Any, server: str) -> None:
    p = Page(browser, server)
    page = p.page
    kb = page.keyboard
    p.ready()

    def tab_to(selector: str, limit: int = 40) -> None:
        for _ in range(limit):
            kb.press("Tab")
            if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
                outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                    return [s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
                assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on {selector}: {outline}"
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("#highlight")
    kb.press("End")  # the last highlight, chosen from the keyboard
    tab_to("#quote")
    kb.press("Control+A")
    kb.press("Delete")
    shown = p.preview_after(lambda: kb.type("Typed without a mouse."))
    assert "Typed without a mouse." in shown["altText"]
    tab_to("#speaker")
    kb.type("Keyboard User")
    tab_to("input[name=size][value=square]")
    shown = p.preview_after(lambda: kb.press("ArrowRight"))
    assert (shown["w"], shown["h"]) == (1200, 675)
    tab_to("#alt")
    tab_to("#download")
    with page.expect_download() as dl:
        kb.press("Enter")
    assert Image.open(dl.value.path()).size == (1200, 675)
    p.check_clean()
    p.close()


def test_phone_no_horizontal_scroll(browser: Any, server: str, tmp_path: Path) -> None:
    p = Page(browser, server, width=390, height=844, has_touch=True)
    page = p.page
    p.ready()
    p.no_horizontal_scroll()
    _shot(p, tmp_path, "studio-phone.png", full=True)
    page.select_option("#highlight", "")
    p.preview_after(lambda: page.fill("#quote", "Averyveryverylongwordthatdoesnotbreak" * 5))
    page.fill("#speaker", "N" * 120)
    p.no_horizontal_scroll()
    tap = page.eval_on_selector("#download", "el => el.getBoundingClientRect().height")
    assert tap >= 44
    q = Page(browser, server, "/campaign/", width=390, height=844)
    q.no_horizontal_scroll()
    q.close()
    p.check_clean()
    p.close()


def test_desktop_screenshot_and_campaign_page(browser: Any, server: str, tmp_path: Path) -> None:
    p = Page(browser, server)
    p.ready()
    _shot(p, tmp_path, "studio-desktop.png")
    p.check_clean()
    p.close()
    q = Page(browser, server, "/campaign/")
    q.page.wait_for_selector(".part textarea")
    assert q.page.locator(".part").count() >= 6
    imgs = q.page.eval_on_selector_all("img", "els => els.map(i => [i.complete, i.naturalWidth, i.alt])")
    q.page.evaluate("""() => Promise.all(Array.from(document.images, img => {
            img.loading = 'eager'; return img.decode().catch(() => null); }))""")
    imgs = q.page.eval_on_selector_all("img", "els => els.map(i => [i.naturalWidth, i.alt])")
    assert imgs and all(w > 0 and alt for w, alt in imgs)
    q.check_clean()
    q.close()


@pytest.mark.parametrize("path", ["/", "/campaign/"])
def test_axe_no_serious_or_critical(browser: Any, server: str, axe_source: str, path: str) -> None:
    for width in (1280, 390):
        p = Page(browser, server, path, width=width, bypass_csp=True)
        if path == "/":
            p.ready()
        p.page.add_script_tag(content=axe_source)
        result = p.page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,
                   nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})))""")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{path} at {width}px: {bad}"
        p.close()


def test_xss_canaries_stay_text(browser: Any, server: str) -> None:
    p = Page(browser, server)
    page = p.page
    page.select_option("#highlight", "")
    page.fill("#speaker", CANARY[:120])
    page.fill("#role", CANARY[:120])
    shown = p.preview_after(lambda: page.fill("#quote", CANARY))
    assert CANARY in shown["altText"] and shown["alt"] == shown["altText"]
    assert page.locator("script:not([src]):not([type='application/json'])").count() == 0
    assert page.locator("img").count() == 1
    assert page.input_value("#quote") == CANARY
    page.wait_for_timeout(300)
    p.check_clean()
    p.close()
