"""Keep secrets out of every message: values registered here are masked wherever text is shown.

`redact(text)` masks every registered secret in every form a server or a library may
give it back in: raw, JSON-escaped (a password holding `"` or `\\`), percent-encoded
once or twice (with `quote` and `quote_plus`), `+`-decoded (a form decoder turned its
`+` into spaces), HTML-escaped, and, for a secret of at least `SUBSTRING_FROM` (12)
characters, any run of at least `SUBSTRING_MIN` (8) characters of any of those forms
that mixes two kinds of characters (a server that echoes a truncated credential; a word
or a number inside a secret is not masked alone). It also masks anything that looks like
a bearer token or an OAuth signature.

Every boundary where text leaves the process passes through here: the queue stores
(`jobs.last_error`, `job_events.detail`), the worker's events and the CLI's output,
and the loggers of the SDKs (`RedactingFilter`).
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
MIN_LENGTH = 4  # shorter values are not registered (they would mask ordinary words)
SUBSTRING_FROM = 12  # a secret this long is masked also by any run of ...
SUBSTRING_MIN = 8  # ... this many of its characters (in any of its encodings)

_secrets: set[str] = set()
_lock = threading.Lock()
_cache: tuple[int, list[str], frozenset[str]] | None = None  # (generation, whole forms, grams)
_generation = 0
_BEARER = re.compile(r"(?i)(bearer\s+|oauth_signature=\"?|authorization:\s*)[^\s\",]+")


def register(value: str | None) -> None:
    """Remember a secret value (tokens, passwords, session strings) so `redact` masks it."""
    global _generation
    if value and len(value) >= MIN_LENGTH:
        with _lock:
            if value not in _secrets:
                _secrets.add(value)
                _generation += 1


def encodings(secret: str) -> set[str]:
    """Every form `secret` may come back in: raw, JSON, percent (once, twice), plus, HTML."""
    forms = {secret}
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    for safe in ("", "~", "/"):
        once = quote(secret, safe=safe)
        forms.update({once, quote(once, safe=safe)})
    plus = quote_plus(secret)
    forms.update({plus, quote_plus(plus), secret.replace("+", " ")})
    forms.update({html.escape(secret), html.escape(secret, quote=False)})
    forms |= {f.lower() for f in forms if "%" in f}  # %2f as well as %2F
    return {f for f in forms if len(f) >= MIN_LENGTH}


def _mixed(piece: str) -> bool:
    """A piece of a secret worth masking on its own: two kinds of characters at least (lower,
    upper, digit, other), so a word or a number a secret happens to contain (`mastodon` in
    `mastodon-token-...`, the account id X puts before its access tokens) is left alone."""
    kinds = {"l" if c.islower() else "u" if c.isupper() else "d" if c.isdigit() else "o" for c in piece}
    return len(kinds) >= 2


def _tables() -> tuple[list[str], frozenset[str]]:
    global _cache
    with _lock:
        if _cache is not None and _cache[0] == _generation:
            return _cache[1], _cache[2]
        whole: set[str] = set()
        grams: set[str] = set()
        for s in _secrets:
            forms = encodings(s)
            whole |= forms
            if len(s) >= SUBSTRING_FROM:
                for f in forms:
                    grams.update(g for g in (f[i:i + SUBSTRING_MIN] for i in range(len(f) - SUBSTRING_MIN + 1))
                                 if _mixed(g))
        _cache = (_generation, sorted(whole, key=len, reverse=True), frozenset(grams))
        return _cache[1], _cache[2]


def _mask_grams(text: str, grams: frozenset[str]) -> str:
    """Mask every run of text covered by SUBSTRING_MIN-character pieces of a long secret."""
    n = SUBSTRING_MIN
    covered_to = -1
    spans: list[list[int]] = []
    for i in range(len(text) - n + 1):
        if text[i:i + n] in grams:
            if spans and i <= covered_to:
                spans[-1][1] = i + n
            else:
                spans.append([i, i + n])
            covered_to = i + n
    if not spans:
        return text
    out, last = [], 0
    for a, b in spans:
        out.append(text[last:a])
        out.append(MASK)
        last = b
    out.append(text[last:])
    return "".join(out)


def redact(text: str) -> str:
    """`text` with every registered secret (in any encoding), and anything that looks like a
    bearer token, masked."""
    if not text:
        return text
    whole, grams = _tables()
    for form in whole:
        if form in text:
            text = text.replace(form, MASK)
    if grams:
        text = _mask_grams(text, grams)
    return _BEARER.sub(r"\1" + MASK, text)


def redact_opt(text: str | None) -> str | None:
    """`redact` for an optional field."""
    return None if text is None else redact(text)


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True
