"""The volunteer pack writer: files, relative links, escaping, zip, no outside requests."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from campaign.errors import CardError
from campaign.models import Highlight, MediaRef
from campaign.pack import Brief, pack_zip_path, posting_window, write_pack
from tests.helpers import (
    WINDOW,
    XSS,
    make_pack_draft,
    make_sample,
    write_sample,
)


class _Links(HTMLParser):
    """Every URL-bearing attribute, every element with an on* attribute, every script."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.handlers: list[str] = []
        self.scripts = 0
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.tags.append((tag, d))
        if tag == "script":
            self.scripts += 1
            assert "src" not in d
        for k, v in attrs:
            if k.startswith("on"):
                self.handlers.append(f"{tag} {k}")
            if k in ("href", "src", "action", "srcset", "poster", "data", "formaction") and v is not None:
                self.urls.append((tag, k, v))


def _parse(index: Path) -> _Links:
    p = _Links()
    p.feed(index.read_text(encoding="utf-8"))
    return p


# --- tests -------------------------------------------------------------------------------


def test_files_and_relative_links(tmp_path: Path) -> None:
    s, index = write_sample(tmp_path)
    assert index == tmp_path / "pack" / "index.html"
    links = _parse(index)
    local = [v for _, _, v in links.urls if not v.startswith(("https://", "#"))]
    assert local, "images are linked"
    for v in local:
        assert not v.startswith(("/", "file:")) and ".." not in v, v
        assert (index.parent / v).is_file(), v
    # every card, in every size, is copied once and linked with a download attribute
    images = sorted(p.name for p in (index.parent / "images").iterdir())
    assert len(images) == len(s.cards)
    downloads = [d for tag, d in links.tags if tag == "a" and "download" in d]
    assert {d["href"] for d in downloads} == {f"images/{n}" for n in images}
    for c in s.cards:
        assert (index.parent / "images" / f"nrf-strasbourg-{c.highlight_id}-{c.size}.png").read_bytes() == Path(c.path).read_bytes()


def test_every_post_part_and_card_is_on_the_page(tmp_path: Path) -> None:
    s, index = write_sample(tmp_path)
    links = _parse(index)
    areas = [d for tag, d in links.tags if tag == "textarea"]
    assert len(areas) == sum(len(d.parts) for d in s.drafts)
    for a in areas:
        assert a["dir"] == "auto" and a["lang"] in ("en", "fa")
    parts = [d for tag, d in links.tags if tag == "div" and "data-length" in d]
    expected = [(d.platform, str(n), str(d.limit)) for d in s.drafts for n in d.lengths]
    got = [(d["data-platform"], d["data-length"], d["data-limit"]) for d in parts]
    assert sorted(got) == sorted(expected)
    imgs = [d for tag, d in links.tags if tag == "img"]
    for c in s.cards:
        assert any(i["alt"] == c.alt and i["width"] == str(c.width) for i in imgs)
    html = index.read_text(encoding="utf-8")
    assert "Please add this description when you post the image" in html
    assert len([d for tag, d in links.tags if d.get("role") == "tab"]) == 3


def test_data_is_escaped_everywhere(tmp_path: Path) -> None:
    _, index = write_sample(tmp_path)
    html = index.read_text(encoding="utf-8")
    links = _parse(index)
    assert links.scripts == 1, "only the pack's own script"
    assert links.handlers == [], "no event-handler attributes"
    assert "<script>window.__xss" not in html
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    assert '"onmouseover=' not in html
    assert "&#34;onmouseover=&#34;" in html
    assert "<b>bold</b>" not in html
    # the quote is intact as text in the post, the card alt and its copyable description
    textareas = re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    from html import unescape

    assert any(XSS in unescape(t) for t in textareas)


def test_share_links_carry_exactly_the_text(tmp_path: Path) -> None:
    s, index = write_sample(tmp_path)
    links = _parse(index)
    by_id = {d["id"]: d for tag, d in links.tags if tag == "textarea"}
    html = index.read_text(encoding="utf-8")
    from html import unescape

    texts = {m.group(1): unescape(m.group(2)) for m in re.finditer(r'<textarea[^>]*id="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S)}
    shares = [d for tag, d in links.tags if tag == "a" and "data-share" in d]
    replies = [d for tag, d in links.tags if tag == "button" and "data-reply-note" in d]
    # a thread's later parts are replies: they get no share link of their own (see test_pack_day_two)
    assert len(shares) + len(replies) == len(by_id) and replies
    seen = set()
    for d in shares:
        text = texts[d["data-source"]]
        platform = d["data-share"]
        if platform == "mastodon":
            assert d["href"] == "#mastodon-server"  # filled in by the page once the server is known
            continue
        url = urlsplit(d["href"])
        assert (url.scheme, url.netloc, url.path) == {
            "x": ("https", "x.com", "/intent/post"),
            "bluesky": ("https", "bsky.app", "/intent/compose"),
        }[platform]
        assert parse_qs(url.query, keep_blank_values=True) == {"text": [text]}
        assert d["rel"] == "noopener noreferrer" and d["target"] == "_blank"
        seen.add(text)
    assert all(any(p in seen for p in d.parts) for d in s.drafts if d.platform != "mastodon")


def test_no_outside_urls_but_share_intents_and_the_article(tmp_path: Path) -> None:
    s, index = write_sample(tmp_path)
    html = index.read_text(encoding="utf-8")
    allowed = ("https://x.com/intent/post?text=", "https://bsky.app/intent/compose?text=")
    for tag, attr, v in _parse(index).urls:
        if v.startswith(("images/", "#")):
            continue
        assert v == s.brief.article_url or (tag == "a" and v.startswith(allowed)), (tag, attr, v)
    # nothing in CSS or script points outside either: no url(), @import, fetch, beacons
    style = html[html.index("<style>"): html.index("</style>")]
    script = html[html.index("<script>"): html.index("</script>")]
    assert "url(" not in style and "@import" not in style
    for word in ("fetch(", "XMLHttpRequest", "sendBeacon", "WebSocket", "import(", "innerHTML", "eval("):
        assert word not in script
    # the only absolute URLs in the script are the share intents
    assert set(re.findall(r"https://[^\"' ]+", script)) <= {
        "https://x.com/intent/post?text=", "https://bsky.app/intent/compose?text=",
    }
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src &#39;none&#39;" in csp.group(1) and "unsafe-inline" not in csp.group(1)


def test_csp_hashes_match_the_inline_script_and_style(tmp_path: Path) -> None:
    import base64
    import hashlib
    from html import unescape

    _, index = write_sample(tmp_path)
    html = index.read_text(encoding="utf-8")
    csp = re.search(r'content="(default-src[^"]+)"', html)
    assert csp
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        assert body
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in unescape(csp.group(1))


def test_window_brief_and_handles(tmp_path: Path) -> None:
    _, index = write_sample(tmp_path)
    html = index.read_text(encoding="utf-8")
    # 08:00Z and 17:00Z on 1 and 7 December are 09:00 and 18:00 in Paris (CET)
    assert "Tuesday 1 December 2026, 09:00 to Monday 7 December 2026, 18:00" in html
    assert "Paris time (CET)" in html
    assert 'data-start="2026-12-01T08:00:00Z"' in html and 'data-end="2026-12-07T17:00:00Z"' in html
    for handle in ("@AhmadMassoud01", "@ahmadmassoud@mastodon.social", "@nathalieloiseau.bsky.social",
                   "@EUParliament", "#FreeAfghanistan"):
        assert f'data-copy-text="{handle}"' in html
    assert 'href="https://example.org/news/nrf-leader-addresses-european-union"' in html


def test_article_link_must_be_http(tmp_path: Path) -> None:
    s = make_sample(tmp_path)
    brief = Brief(name="X", slug="x", article_url="javascript:alert(1)", article_title="Read me")
    index = write_pack(brief, s.highlights, s.drafts, s.cards, tmp_path / "p", window=None)
    html = index.read_text(encoding="utf-8")
    assert "javascript:" not in html
    assert "Any time that suits you" in html


def test_zip_holds_the_site(tmp_path: Path) -> None:
    s, index = write_sample(tmp_path, zip=True)
    archive = pack_zip_path(index.parent, "nrf-strasbourg")
    assert archive == index.parent / "nrf-strasbourg-pack.zip"
    with zipfile.ZipFile(archive) as zf:
        names = sorted(zf.namelist())
        assert names[0] == "nrf-strasbourg-pack/images/nrf-strasbourg-0789ab-landscape.png"
        assert "nrf-strasbourg-pack/index.html" in names
        assert len(names) == 1 + len(s.cards)
        assert zf.read("nrf-strasbourg-pack/index.html") == index.read_bytes()
        assert all(not n.endswith(".zip") for n in names)
    # writing again gives the same bytes (fixed timestamps, sorted entries)
    first = archive.read_bytes()
    write_pack(s.brief, s.highlights, s.drafts, s.cards, index.parent, window=WINDOW, zip=True)
    assert archive.read_bytes() == first
    # a later pack with fewer cards drops the old images of this campaign, and only those
    (index.parent / "images" / "keep-me.png").write_bytes(b"mine")
    fewer = [c for c in s.cards if c.size != "portrait"]
    drafts = [d for d in s.drafts if d.platform == "bluesky"]
    write_pack(s.brief, s.highlights, drafts, fewer, index.parent, window=WINDOW)
    names = sorted(p.name for p in (index.parent / "images").iterdir())
    assert "keep-me.png" in names and len(names) == len(fewer) + 1


def test_missing_image_is_a_card_error(tmp_path: Path) -> None:
    s = make_sample(tmp_path)
    Path(s.cards[0].path).unlink()
    with pytest.raises(CardError, match="image not found"):
        write_pack(s.brief, s.highlights, s.drafts, s.cards, tmp_path / "p", window=None)


def test_same_file_name_from_two_folders_does_not_clash(tmp_path: Path) -> None:
    s = make_sample(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    twin = other / Path(s.cards[0].path).name
    twin.write_bytes(b"\x89PNG other")
    h = s.highlights[0]
    drafts = [make_pack_draft(h, "bluesky", ("hello",), (MediaRef(path=str(twin), alt="other"),))]
    index = write_pack(s.brief, s.highlights, drafts, s.cards, tmp_path / "p", window=None)
    names = sorted(p.name for p in (index.parent / "images").iterdir())
    assert len(names) == len(s.cards) + 1


def test_from_config_and_posting_window(tmp_path: Path) -> None:
    from campaign.config import load
    from tests.conftest import EXAMPLE

    cfg = load(EXAMPLE)
    brief = Brief.from_config(cfg)
    assert brief.slug == "nrf-strasbourg" and brief.zone == "Europe/Paris"
    assert brief.hashtags == ("#Afghanistan", "#StandWithNRF", "#FreeAfghanistan")
    assert brief.people[0].handles["mastodon"] == "@ahmadmassoud@mastodon.social"
    assert brief.slots == ("Weekdays at 09:00, 13:00, 18:00", "Weekends at 11:00")
    # start: now (a Tuesday 07:30 Paris), end: 7d → first slot 09:00 Tue, last 18:00 next Mon
    now = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    start, end = posting_window(cfg, now)
    assert start == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    index = write_pack(cfg, [], [], [], tmp_path / "p", window=(start, end))
    html = index.read_text(encoding="utf-8")
    assert "Stand with the Afghan resistance" in html
    assert "Anti-Taliban Resistance Leader Addresses the European Union" in html


def test_post_headings_use_the_organizers_role_over_the_articles(tmp_path):
    from campaign.pack.writer import Brief, Person, _role

    brief = Brief(name="T", slug="t", people=(Person("Jane Doe", {"x": "@jane"}, "Director, Rights Watch"),))
    h = Highlight("h1", "quote", "Words.", "jane doe", 1.0, 0, 6, role="a lawyer")
    assert _role(brief, h) == "Director, Rights Watch"
    assert _role(brief, Highlight("h2", "quote", "Words.", "Sam Roe", 1.0, 0, 6, role="a lawyer")) == "a lawyer"


def test_the_page_takes_counting_and_sharing_from_each_platforms_rules(tmp_path: Path) -> None:
    _, index = write_sample(tmp_path)
    html = index.read_text(encoding="utf-8")
    assert 'data-platform="x" data-counter="twitter-text"' in html
    assert 'data-platform="mastodon" data-counter="urls-23"' in html
    assert 'data-share-url="https://bsky.app/intent/compose?text="' in html
    assert 'data-own-server="mastodon" data-share-url="https://{server}/share?text="' in html
    script = html.rsplit("<script", 1)[-1].lower()  # the page's one script knows no platform by name
    assert not any(name in script for name in ("mastodon", "bluesky", '"x"'))
