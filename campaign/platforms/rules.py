"""`Rules`: what a platform declares about its posts. Built-ins subclass it; so may plugins."""

from __future__ import annotations

from dataclasses import dataclass

Entity = tuple[int, int, str]  # (start, end, kind) in code points; kind: url | mention | hashtag


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """A platform's rules. The base counts grapheme clusters and detects no entities.

    Everything the rest of `campaign` needs to know about a platform is a field or method here,
    so a plugin's declared rules shape its drafts, cards and pack exactly as a built-in's do:

    - `max_chars`, `length`, `problems`, `entities`: the text limit as the platform counts it;
    - `max_images`, `max_image_bytes`, `alt_max`: media count, bytes per image, alt-text length;
    - `card_sizes`: the card sizes its timeline shows best, the first one attached;
    - `show_link`: how a link is written in a post (Bluesky shortens it; its facet keeps the URL);
    - `handle_pattern`, `handle_example`: how a person's handle is written (`people:` in YAML);
    - `label`: its name for people; `share_url`: a compose page taking `?text=` (`{server}` when
      each volunteer uses their own server, `server_example` then shows one), "" when there is none;
    - `counter`: how the volunteer pack estimates the length while a text is edited in the browser
      ("graphemes", "twitter-text", or "urls-23": every URL counts 23, `@user@host` as `@user`);
    - `requires`: account settings it cannot work without, each with an example value;
    - `real`: it posts somewhere real (False for the outbox); `volunteer`: people post there by
      hand, so the volunteer pack offers it.
    """

    name: str = "outbox"
    label: str = ""
    max_chars: int = 1_000_000_000
    max_images: int = 4
    max_image_bytes: int = 1_000_000_000
    alt_max: int = 1_000_000_000
    card_sizes: tuple[str, ...] = ("landscape", "square")
    handle_pattern: str = r"@[^\s@]+(?:@[^\s@]+)?"
    handle_example: str = "@name"
    share_url: str = ""
    server_example: str = ""
    counter: str = "graphemes"
    requires: tuple[tuple[str, str], ...] = ()
    real: bool = True
    volunteer: bool = True

    @property
    def title(self) -> str:
        """The name people know it by."""
        return self.label or self.name.capitalize()

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

    def show_link(self, url: str) -> str:
        """The link as written in the post text."""
        return url

    def valid_handle(self, handle: str) -> bool:
        """True when `handle` (with its leading @) is written as this platform writes handles."""
        import re

        return re.fullmatch(self.handle_pattern, handle) is not None
