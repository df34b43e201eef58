"""Mastodon: StatusLengthValidator's count.

Mastodon counts extended grapheme clusters (`each_grapheme_cluster`) of the spoiler text plus
the status text, after replacing each URL that has a scheme with 23 characters (the
instance's `characters_reserved_per_url`) and each `@user@domain` with `@user`. URLs are
found with Mastodon's variant of twitter-text (schemes http, https, dat, dweb, ipfs, ipns, ssb,
gopher, gemini; wide Unicode paths); bare domains (`example.com`) count in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import regex

from campaign.platforms.rules import Entity, Rules

# app/models/account.rb MENTION_RE (with USERNAME_RE), and what may not follow a mention.
# app/lib/extractor.rb drops a mention whose domain is longer than 253 characters (it then
# counts in full).
_MENTION = regex.compile(
    r"(?<![=/\w])@(?P<user>[a-z0-9_]+(?:[.\-]+[a-z0-9_]+)*)(?:@(?P<domain>\w+(?:[.\-]+\w+)*))?",
    regex.IGNORECASE,
)
MAX_DOMAIN_LENGTH = 253
_NOT_AFTER = regex.compile(
    r"[@\uff20\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256"
    r"\u0257\u0259\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB"
    r"\u0300-\u036F\u1E00-\u1EFF]|://"
)
_HASHTAG = regex.compile(
    r"(?<![=/)\w])#(?P<tag>[\w\u00b7\u200c]*[\p{L}_][\w\u00b7\u200c]*)", regex.IGNORECASE
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MastodonRules(Rules):
    """Mastodon's rules; pass the instance's `configuration` values when known."""

    name: str = "mastodon"
    label: str = "Mastodon"
    handle_pattern: str = r"@[A-Za-z0-9_]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    handle_example: str = "@user@instance.social"
    share_url: str = "https://{server}/share?text="  # on each volunteer's own server
    server_example: str = "mastodon.social"
    counter: str = "urls-23"
    requires: tuple[tuple[str, str], ...] = (("instance", "https://your.instance"),)
    max_chars: int = 500
    url_length: int = 23
    max_images: int = 4
    max_image_bytes: int = 16_000_000
    alt_max: int = 1500
    ALIASES: ClassVar[dict[str, str]] = {
        "max_characters": "max_chars",
        "characters_reserved_per_url": "url_length",
        "max_media": "max_images",
        "max_media_attachments": "max_images",
        "image_size_limit": "max_image_bytes",
        "description_limit": "alt_max",
    }

    def length(self, text: str, *, spoiler_text: str = "") -> int:
        """Graphemes of `spoiler_text + text`, URLs as `url_length`, remote mentions as local."""
        from campaign.platforms.text import grapheme_count

        if not text.strip():
            return grapheme_count(spoiler_text)
        out, pos = [], 0
        for start, end, kind in self._entities(text):
            out.append(text[pos:start])
            if kind == "url":
                out.append("x" * self.url_length)
            else:
                out.append("@" + text[start:end].split("@")[1])
            pos = end
        out.append(text[pos:])
        return grapheme_count(spoiler_text + "".join(out))

    def _entities(self, text: str) -> list[Entity]:
        """URLs and mentions as the validator sees them (overlaps removed, first wins)."""
        from campaign.platforms.text import twitter_urls

        found: list[Entity] = [
            (a, b, "url") for a, b in twitter_urls(text, without_protocol=False, flavor="mastodon")
        ]
        if "@" in text:
            for m in _MENTION.finditer(text):
                domain = m.group("domain") or ""
                if not _NOT_AFTER.match(text, m.end()) and len(domain) <= MAX_DOMAIN_LENGTH:
                    found.append((m.start(), m.end(), "mention"))
        found.sort()
        kept: list[Entity] = []
        for e in found:
            if not kept or e[0] >= kept[-1][1]:
                kept.append(e)
        return kept

    def entities(self, text: str) -> list[Entity]:
        """URLs (with scheme), @mentions (local and remote) and #hashtags."""
        found = self._entities(text)
        for m in _HASHTAG.finditer(text):
            if all(m.end() <= k[0] or m.start() >= k[1] for k in found):
                found.append((m.start(), m.end(), "hashtag"))
        return sorted(found)
