"""What a client may ask the studio to render: parsed, capped and checked against the options.

Every field is bounded (a quote ≤ 600 characters, a name or role ≤ 120, alt text ≤ the
campaign's alt limit), sizes, themes and formats come only from the organizer's lists, and a
highlight is named by its id only. Nothing a client sends is ever used as a path or a URL.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from campaign.errors import CampaignError
from campaign.serve.options import StudioOptions


@dataclass(frozen=True, slots=True)
class Limits:
    quote: int = 600
    name: int = 120
    role: int = 120
    body: int = 8_192  # bytes of JSON a render request may carry


LIMITS = Limits()


class InputError(CampaignError):
    """A render request the studio refuses; `field` names the offending field."""

    exit_code = 2

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class CardRequest:
    """One card to draw, every field already checked."""

    text: str
    speaker: str | None
    role: str | None
    theme: str
    size: str
    fmt: str
    language: str
    alt: str | None
    quoted: bool = True
    highlight_id: str = "studio"

    def key(self) -> tuple[object, ...]:
        return (self.text, self.speaker, self.role, self.theme, self.size, self.fmt,
                self.language, self.alt, self.quoted, self.highlight_id)


def detect_language(text: str, default: str = "en") -> str:
    """The text's language as far as drawing needs it: its script decides the direction.

    Arabic script is Pashto, Persian or Arabic by their own letters; Hebrew is Hebrew; any
    other text keeps `default` (the campaign's language), or English if that is right to left.
    """
    from campaign.cards.bidi import is_rtl_language, script_language

    said = script_language(text)
    if said:
        return said
    return "en" if is_rtl_language(default) else default


def _text(body: dict[str, Any], name: str, cap: int, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise InputError(name, f"{name}: required")
        return None
    if not isinstance(value, str):
        raise InputError(name, f"{name}: must be text")
    value = unicodedata.normalize("NFC", value)
    # control characters other than line breaks and tabs never reach the renderer
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")
    value = value.strip()
    if len(value) > cap:
        raise InputError(name, f"{name}: at most {cap} characters (got {len(value)})")
    if required and not value:
        raise InputError(name, f"{name}: required")
    return value or None


def parse_card_request(body: Any, options: StudioOptions,
                       highlights: dict[str, dict[str, Any]] | None = None) -> CardRequest:
    """Check a decoded JSON body against the limits and the organizer's lists.

    `highlights` maps an id to `{text, speaker, role, kind}`; a body naming one (`highlight`)
    draws it exactly as the campaign would unless the client typed its own text.
    Raises InputError naming the first field that is wrong.
    """
    if not isinstance(body, dict):
        raise InputError("body", "send a JSON object")
    unknown = set(body) - {"text", "speaker", "role", "theme", "size", "format", "alt", "highlight"}
    if unknown:
        raise InputError(sorted(unknown)[0], f"unknown field {sorted(unknown)[0]!r}")
    text = _text(body, "text", LIMITS.quote, required=True)
    speaker = _text(body, "speaker", LIMITS.name)
    role = _text(body, "role", LIMITS.role)
    alt = _text(body, "alt", options.alt_limit)
    theme = body.get("theme") or options.themes[0].key
    if not isinstance(theme, str) or options.theme(theme) is None:
        raise InputError("theme", "theme: not one this studio offers")
    size = body.get("size") or options.sizes[0]
    if not isinstance(size, str) or size not in options.sizes:
        raise InputError("size", "size: not one this studio offers")
    fmt = body.get("format") or options.default_format
    if not isinstance(fmt, str) or fmt not in options.formats:
        raise InputError("format", "format: png or jpeg")
    quoted = True
    hid = "studio"
    chosen = body.get("highlight")
    if chosen:
        if not isinstance(chosen, str) or not highlights or chosen not in highlights:
            raise InputError("highlight", "highlight: not one of this campaign's")
        h = highlights[chosen]
        if h["text"] == text:  # the campaign's own words: its kind decides the marks
            quoted = h.get("kind") != "sentence"
            hid = chosen
    assert text is not None
    return CardRequest(text=text, speaker=speaker, role=role,
                       theme=theme, size=size, fmt=fmt,
                       language=detect_language(text, options.language), alt=alt,
                       quoted=quoted, highlight_id=hid)
