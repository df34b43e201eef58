"""Keep secrets out of every message: values registered here are masked wherever text is shown."""

from __future__ import annotations

import logging
import re

_secrets: set[str] = set()
MASK = "[redacted]"


def register(value: str | None) -> None:
    """Remember a secret value (tokens, passwords, session strings) so `redact` masks it."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    """`text` with every registered secret, and anything that looks like a bearer token, masked."""
    for s in sorted(_secrets, key=len, reverse=True):
        if s in text:
            text = text.replace(s, MASK)
    return re.sub(r"(?i)(bearer\s+|oauth_signature=\"?|authorization:\s*)[^\s\",]+", r"\1" + MASK, text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True
