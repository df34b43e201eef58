"""Times of day as the pack writes them: `12:30` (24-hour) unless the campaign's language
customarily reads a 12-hour clock (`12:30 PM`); the page's script follows the same choice."""

from __future__ import annotations

from datetime import datetime, time

#: languages, or language-region pairs, whose everyday written clock is 12-hour
_TWELVE_HOUR = frozenset({
    "en-us", "en-ca", "en-au", "en-nz", "en-ph", "en-in", "en-pk",
    "hi", "ur", "bn", "pa", "ko", "fil", "tl",
})


def twelve_hour(language: str) -> bool:
    """Whether `language` (a BCP 47 tag) customarily writes times with AM and PM."""
    tag = language.strip().lower().replace("_", "-")
    parts = tag.split("-")
    return tag in _TWELVE_HOUR or parts[0] in _TWELVE_HOUR or "-".join(parts[:2]) in _TWELVE_HOUR


def clock(t: time | datetime, language: str = "en") -> str:
    """`09:00`, or `9:00 AM` where the language reads a 12-hour clock."""
    if not twelve_hour(language):
        return f"{t.hour:02d}:{t.minute:02d}"
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
