"""X (Twitter): twitter-text v3 weighted length.

Config v3: scale 100, default weight 200, weight 100 for U+0000–U+10FF, U+2000–U+200D,
U+2010–U+201F, U+2032–U+2037; every URL twitter-text extracts (with or without scheme) counts
23; each emoji sequence counts 2; the text is NFC-normalized first; U+FFFE, U+FEFF and U+FFFF
make a post invalid (directional marks and isolates such as U+202A–U+202E and U+2066–U+2069 are
fine since twitter-text v3); an empty post is invalid. Our own implementation of the
spec: the PyPI port `twitter-text-parser` is unmaintained (last release 2020) and not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import regex

from campaign.platforms.rules import Entity, Rules

SCALE = 100
DEFAULT_WEIGHT = 200
URL_LENGTH = 23
RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
INVALID = regex.compile(r"[\uFFFE\uFEFF\uFFFF]")

# Mentions and hashtags as twitter-text extracts them (used to avoid cutting them).
# A mention follows start, a non-word character or "RT"/"RT:"; it must not run into "@", an
# accented Latin letter or "://". A hashtag follows start, U+FE0E/U+FE0F or any character that
# cannot be in a hashtag (nor "&"); it needs a letter and must not run into "#" or "://".
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_MENTION = regex.compile(
    r"(?:(?<![A-Za-z0-9_!#$%&*@\uff20])|(?<=(?:^|[^A-Za-z0-9_+~.\-])[Rr][Tt]:?))"
    r"[@\uff20][A-Za-z0-9_]{1,20}(?:/[A-Za-z][A-Za-z0-9_\-]{0,24})?"
)
_MENTION_BAD_END = regex.compile(rf"[@\uff20{_LATIN_ACCENTS}]|://")
_TAG_CHARS = (
    r"\p{L}\p{M}\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0"
    r"\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_HASHTAG = regex.compile(
    rf"(?:(?<=[\uFE0E\uFE0F])|(?<![&{_TAG_CHARS}]))[#\uff03](?![\uFE0F\u20E3])"
    rf"[{_TAG_CHARS}]*[\p{{L}}\p{{M}}][{_TAG_CHARS}]*"
)
_HASHTAG_BAD_END = regex.compile(r"[#\uff03]|://")


def char_weight(cp: int) -> int:
    """Weight of one code point, scaled (100 = one character)."""
    for lo, hi in RANGES:
        if lo <= cp <= hi:
            return 100
    return DEFAULT_WEIGHT


@dataclass(frozen=True, slots=True, kw_only=True)
class XRules(Rules):
    """X's rules; `max_chars=25_000` for Premium accounts."""

    name: str = "x"
    label: str = "X"
    max_chars: int = 280
    max_images: int = 4
    max_image_bytes: int = 5_000_000
    alt_max: int = 1000
    handle_pattern: str = r"@[A-Za-z0-9_]{1,15}"
    handle_example: str = "@name"
    share_url: str = "https://x.com/intent/post?text="
    counter: str = "twitter-text"
    ALIASES: ClassVar[dict[str, str]] = {"max_weighted_length": "max_chars"}

    def length(self, text: str) -> int:
        """twitter-text's `weightedLength` (parseTweet, config v3)."""
        from campaign.platforms.text import emoji_spans, nfc, twitter_urls

        t = nfc(text)
        urls = dict(twitter_urls(t))
        emoji = dict(emoji_spans(t))
        total = 0
        i, n = 0, len(t)
        while i < n:
            if i in urls:
                total += URL_LENGTH * SCALE
                i = urls[i]
            elif i in emoji:
                total += DEFAULT_WEIGHT
                i = emoji[i]
            else:
                total += char_weight(ord(t[i]))
                i += 1
        return total // SCALE

    def problems(self, text: str) -> list[str]:
        from campaign.platforms.text import code_point_name, nfc, surrogate_problem

        out = []
        n = self.length(text)
        if n == 0:
            out.append("empty: X needs at least one character")
        if n > self.max_chars:
            out.append(f"too long: {n}/{self.max_chars}")
        bad = sorted({code_point_name(m.group()) for m in INVALID.finditer(nfc(text))})
        if bad:
            out.append(f"invalid characters: {', '.join(bad)}")
        return out + surrogate_problem(text)

    def entities(self, text: str) -> list[Entity]:
        """URLs as twitter-text extracts them, then @mentions and #hashtags outside them."""
        from campaign.platforms.text import twitter_urls

        found: list[Entity] = [(a, b, "url") for a, b in twitter_urls(text)]
        found += [
            (*m.span(), "mention")
            for m in _MENTION.finditer(text)
            if not _MENTION_BAD_END.match(text, m.end())
        ]
        found += [
            (*m.span(), "hashtag")
            for m in _HASHTAG.finditer(text)
            if not _HASHTAG_BAD_END.match(text, m.end())
        ]
        return _without_overlaps(found)


def _without_overlaps(found: list[Entity]) -> list[Entity]:
    """Sorted by start; an entity overlapping an earlier-listed one is dropped."""
    kept: list[Entity] = []
    for e in found:
        if all(e[1] <= k[0] or e[0] >= k[1] for k in kept):
            kept.append(e)
    return sorted(kept)
