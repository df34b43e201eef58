"""Each platform's text rules: length as the platform counts it, limits, entities, facets.

    >>> from campaign import platforms
    >>> rules = platforms.get("x")
    >>> rules.length("Read example.com 👩🏽‍💻"), rules.max_chars
    (31, 280)

`get(name, **options)` returns a frozen `Rules`; options override instance limits, e.g.
`get("mastodon", max_characters=1000)` or `get("x", max_chars=25_000)` (Premium).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from campaign.errors import CampaignError

Entity = tuple[int, int, str]  # (start, end, kind) in code points; kind: url | mention | hashtag

NAMES = ("x", "mastodon", "bluesky", "outbox")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """A platform's text rules. The base counts grapheme clusters with no entity rules."""

    name: str = "outbox"
    max_chars: int = 1_000_000_000
    max_images: int = 4
    max_image_bytes: int = 1_000_000_000
    alt_max: int = 1_000_000_000

    def length(self, text: str) -> int:
        """Length of `text` as the platform counts it."""
        from campaign.platforms.text import grapheme_count

        return grapheme_count(text)

    def problems(self, text: str) -> list[str]:
        """Why `text` cannot be posted as is (empty when it fits)."""
        from campaign.platforms.text import surrogate_problem

        n = self.length(text)
        too_long = [f"too long: {n}/{self.max_chars}"] if n > self.max_chars else []
        return too_long + surrogate_problem(text)

    def fits(self, text: str) -> bool:
        """True when `text` can be posted: within the limit and valid."""
        return not self.problems(text)

    def entities(self, text: str) -> list[Entity]:
        """URLs, mentions and hashtags as the platform detects them, sorted, never overlapping."""
        return []


def get(name: str, **options: Any) -> Rules:
    """The rules for platform `name` ("x", "mastodon", "bluesky", "outbox").

    Options override limits: any field of the rules (`max_chars`, `max_images`,
    `max_image_bytes`, `alt_max`, Mastodon's `url_length`), or the platform's own name for it
    (Mastodon `max_characters`, `characters_reserved_per_url`, `max_media` /
    `max_media_attachments`, `image_size_limit`, `description_limit`).
    """
    key = (name or "").strip().lower()
    if key == "x":
        from campaign.platforms.x import XRules as cls
    elif key == "mastodon":
        from campaign.platforms.mastodon import MastodonRules as cls  # type: ignore[assignment]
    elif key == "bluesky":
        from campaign.platforms.bluesky import BlueskyRules as cls  # type: ignore[assignment]
    elif key == "outbox":
        from campaign.platforms.outbox import OutboxRules as cls  # type: ignore[assignment]
    else:
        raise CampaignError(f"unknown platform '{name}'; known: {', '.join(NAMES)}")
    rules = cls()
    if not options:
        return rules
    aliases: dict[str, str] = getattr(cls, "ALIASES", {})
    known = {f.name for f in fields(cls)} - {"name"}
    changes: dict[str, Any] = {}
    for opt, value in options.items():
        field_name = aliases.get(opt, opt)
        if field_name not in known:
            allowed = ", ".join(sorted(known | set(aliases)))
            raise CampaignError(f"unknown option '{opt}' for platform '{key}'; known: {allowed}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise CampaignError(
                f"option '{opt}' for platform '{key}' must be a non-negative integer"
            )
        changes[field_name] = value
    return replace(rules, **changes)


__all__ = ["NAMES", "Entity", "Rules", "get"]
