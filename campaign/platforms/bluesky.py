"""Bluesky: 300 graphemes and 3000 UTF-8 bytes; facets as the official app detects them.

Detection follows `detectFacets` in @atproto/api (packages/api/src/rich-text/detection.ts),
re-implemented here:
- mentions: `@handle` after start, whitespace or `(`; the handle must end in a known TLD (or
  `.test`); trailing dots are not part of it.
- links: `http(s)://…` or a bare domain (`[a-z][a-z0-9]*(.[a-z0-9]+)+`, known TLD, lower case
  as the app's check is) after start, whitespace or `(`, up to the next whitespace; bare
  domains get `https://`; one trailing `. , ; : ! ?` is dropped, then one `)` unless the link
  holds a `(`.
- hashtags: `#` or `＃` after start or whitespace, not only digits, trailing punctuation
  stripped, at most 64 graphemes; the tag value has no `#`.
Offsets are UTF-8 byte offsets (byteStart inclusive, byteEnd exclusive), facets sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import regex

from campaign.platforms.rules import Entity, Rules
from campaign.platforms.text import JS_SPACE, JS_SPACE_CHARS

Resolver = Callable[[str], "str | None"]

_LEAD = rf"(?:^|(?<=[{JS_SPACE}(]))"
_MENTION = regex.compile(rf"{_LEAD}@(?P<handle>[a-zA-Z0-9.\-]+)\b", regex.ASCII)
_LINK = regex.compile(
    rf"{_LEAD}(?P<uri>[Hh][Tt][Tt][Pp][Ss]?://[^{JS_SPACE}]+"
    rf"|(?P<domain>[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)[^{JS_SPACE}]*)"
)
_ZW = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(
    rf"(?:^|(?<=[{JS_SPACE}]))[#\uff03]"
    rf"(?P<tag>(?![\ufe0f\u20e3])[^{JS_SPACE}{_ZW}]*[^0-9{JS_SPACE}\p{{P}}{_ZW}]+[^{JS_SPACE}{_ZW}]*)?"
)
_TRAILING_PUNCT = regex.compile(r"\p{P}+$")
LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"


def _known_domain(domain: str) -> bool:
    """The app's isValidDomain: ends in `.` + a TLD from the `tlds` list (case-sensitive)."""
    from campaign.platforms.text import tlds

    dot = domain.rfind(".")
    return dot >= 0 and domain[dot + 1 :] in tlds()


def detect(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, value) in code points: kind mention (value = handle), link (uri), tag."""
    from campaign.platforms.text import grapheme_count, utf8_len

    found: list[tuple[int, int, str, str]] = []
    if "@" in text:
        for m in _MENTION.finditer(text):
            handle = m.group("handle")
            if _known_domain(handle) or handle.endswith(".test"):
                found.append((m.start(), m.end(), "mention", handle))
    if "." in text:
        for m in _LINK.finditer(text):
            uri = m.group("uri")
            start, end = m.span("uri")
            if not uri.startswith("http"):  # case-sensitive, as in the app
                domain = m.group("domain")
                if not domain or not _known_domain(domain):
                    continue
                uri = "https://" + uri
            if uri[-1] in ".,;:!?":
                uri, end = uri[:-1], end - 1
            if uri.endswith(")") and "(" not in uri:
                uri, end = uri[:-1], end - 1
            found.append((start, end, "link", uri))
    if "#" in text or "\uff03" in text:
        for m in _TAG.finditer(text):
            tag = m.group("tag")
            if not tag:
                continue
            tag = _TRAILING_PUNCT.sub("", tag.strip(JS_SPACE_CHARS))
            if not tag or grapheme_count(tag) > 64 or utf8_len(tag) > 640:
                continue
            start = m.start()
            found.append((start, start + 1 + len(tag), "tag", tag))
    found.sort(key=lambda f: (f[0], f[1]))
    kept: list[tuple[int, int, str, str]] = []
    for f in found:  # facets never overlap ("#(example.com" is a tag, not also a link inside it)
        if not kept or f[0] >= kept[-1][1]:
            kept.append(f)
    return kept


@dataclass(frozen=True, slots=True, kw_only=True)
class BlueskyRules(Rules):
    """Bluesky's rules: `max_chars` graphemes and `max_bytes` UTF-8 bytes."""

    name: str = "bluesky"
    label: str = "Bluesky"
    handle_pattern: str = r"@[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}"
    handle_example: str = "@name.bsky.social"
    share_url: str = "https://bsky.app/intent/compose?text="
    max_chars: int = 300
    max_bytes: int = 3000
    max_images: int = 4
    max_image_bytes: int = 1_000_000
    alt_max: int = 2000

    def length(self, text: str) -> int:
        """Extended grapheme clusters."""
        from campaign.platforms.text import grapheme_count

        return grapheme_count(text)

    def problems(self, text: str) -> list[str]:
        from campaign.platforms.text import surrogate_problem, utf8_len

        out = []
        n = self.length(text)
        if n > self.max_chars:
            out.append(f"too long: {n}/{self.max_chars} graphemes")
        b = utf8_len(text)
        if b > self.max_bytes:
            out.append(f"too long: {b}/{self.max_bytes} UTF-8 bytes")
        return out + surrogate_problem(text)

    def show_link(self, url: str) -> str:
        """Shortened as the Bluesky app shows it (`display_link`); the facet keeps the full URL."""
        return display_link(url)

    def entities(self, text: str) -> list[Entity]:
        """Links, mentions and hashtags the app would make rich (mentions even unresolved)."""
        kinds = {"link": "url", "mention": "mention", "tag": "hashtag"}
        return [(a, b, kinds[k]) for a, b, k, _ in detect(text)]

    def facets(
        self, text: str, resolve: Resolver | None = None, links: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """`app.bsky.richtext.facet` objects (UTF-8 byte offsets), sorted by byteStart.

        A mention needs a DID: `resolve(handle)` returns it, or None to drop that mention.
        Without `resolve`, mentions are left out (a facet without a valid DID is rejected).
        `links` maps a shortened display text (see `display_link`) to the full URL it opens.
        """
        from campaign.platforms.text import byte_offsets

        out: list[dict[str, Any]] = []
        shown: list[tuple[int, int]] = []
        for display, uri in (links or {}).items():
            for m in regex.finditer(regex.escape(display), text):
                shown.append((m.start(), m.end()))
                b0, b1 = byte_offsets(text, (m.start(), m.end()))
                out.append({"index": {"byteStart": b0, "byteEnd": b1},
                            "features": [{"$type": LINK, "uri": uri}]})
        for start, end, kind, value in detect(text):
            if any(start < e and s < end for s, e in shown):
                continue
            if kind == "mention":
                did = resolve(value) if resolve else None
                if not did:
                    continue
                feature: dict[str, Any] = {"$type": MENTION, "did": did}
            elif kind == "link":
                feature = {"$type": LINK, "uri": value}
            else:
                feature = {"$type": TAG, "tag": value}
            b0, b1 = byte_offsets(text, (start, end))
            out.append({"index": {"byteStart": b0, "byteEnd": b1}, "features": [feature]})
        out.sort(key=lambda f: f["index"]["byteStart"])
        return out


def display_link(url: str, keep: int = 16) -> str:
    """How a long link is shown in a post, as the Bluesky app shortens links: the host and the
    start of the path, then "…". The post's link facet keeps the full URL, so it still opens it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    rest = "" if parts.path in ("", "/") else parts.path
    rest += ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
    return parts.netloc + (rest if len(rest) <= keep else rest[: keep - 1] + "…")
