"""Sentence splitting with character offsets, robust to abbreviations, initials, numbers and quotes.

`split(text)` returns `(start, end)` pairs covering the sentences of one paragraph; leading and
trailing spaces are left out of every span. A closing quote mark or bracket after the final
punctuation stays with its sentence. Pure regex, no models.
"""

from __future__ import annotations

import re

# Words that end with a period without ending the sentence (compared lower-case, no final dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof sr jr st mt ft rev fr hon sen rep gov gen lt col maj capt cmdr adm sgt cpl pvt
    pres supt insp det amb sec atty esq messrs mme mlle mgr
    inc ltd co corp llc plc bros dept univ assn est govt
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    no nos vol vols p pp ch fig figs op ed eds al approx ca cf vs etc viz ibid
    e.g i.e a.m p.m u.s u.k u.n e.u u.s.a d.c n.y l.a
    """.split()
)
# Sentence-initial words that make a split after a dotted acronym ("in the U.S. The ...") likely.
_STARTERS = frozenset(
    "the a an he she it we they i but and this that these those in on at there his her its our their "
    "yet so however meanwhile still after before when while if as".split()
)
_CLOSERS = "\"'”’»›」』)]"
_OPENERS = "\"'“‘«‹„‚「『([¿¡"
# A boundary candidate: terminal punctuation, then closers, then whitespace.
# Linear time: a candidate starts only where a run of terminal marks starts, and the possessive
# quantifiers never give back what they took (a run of 200,000 "…" cost minutes before).
_BOUNDARY = re.compile(r"(?<![.!?…。؟])([.!?…。؟]++)([" + re.escape(_CLOSERS) + r"]*+)(\s+)")
_WORD_BEFORE = re.compile(r"([^\s" + re.escape(_OPENERS) + r"]*)$")
_WORD_WINDOW = 64


def split(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split one paragraph into sentences; offsets are shifted by `offset`."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    glued = _glued_quotes(text)
    for m in _BOUNDARY.finditer(text):
        end = m.end(2)
        nxt = m.end()
        if nxt >= n:
            break
        if any(a < m.start() < b for a, b in glued):
            continue
        if _is_boundary(text, m, nxt):
            _add(text, start, end, offset, spans)
            start = nxt
    _add(text, start, n, offset, spans)
    return spans


_DOUBLE = re.compile(r'[“”"«»„]')
_TRAILING_ATTRIBUTION = re.compile(r"[,—–-]\s*$")


def _glued_quotes(text: str) -> list[tuple[int, int]]:
    """Quotes that end in a comma before their attribution ("A. B," she said): never split inside."""
    out: list[tuple[int, int]] = []
    marks = [m.start() for m in _DOUBLE.finditer(text)]
    if len(marks) < 2 or len(marks) > 200:
        return out
    for a, b in zip(marks[::2], marks[1::2], strict=False):
        if _TRAILING_ATTRIBUTION.search(text, a, b) and re.match(r"\s+[a-z]", text[b + 1 : b + 3]):
            out.append((a, b))
    return out


def _add(text: str, start: int, end: int, offset: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start + offset, end + offset))


def _is_boundary(text: str, m: re.Match[str], nxt: int) -> bool:
    punct = m.group(1)
    following = text[nxt]
    # The next sentence must start like one: a capital, a digit, an opening mark or a
    # letter of a script without case (Persian, Arabic, CJK...).
    first = following
    if first in _OPENERS:
        rest = text[nxt + 1 : nxt + 3].lstrip(" \u00a0\u202f")  # « Avec ... » has a space inside
        first = rest[:1] or first
    if first.islower():
        return False
    if not (first.isupper() or first.isdigit() or first in _OPENERS or (first.isalpha() and not first.islower())):
        return False
    if punct != "." or m.group(2):
        return True  # ! ? … or a closing mark after the period: a real end
    # Only the last few characters can hold an abbreviation or initial: searching from the
    # paragraph's start made every candidate cost the whole paragraph (quadratic).
    lo = max(0, m.start(1) - _WORD_WINDOW)
    word = _WORD_BEFORE.search(text, lo, m.start(1))
    token = word.group(1) if word else ""
    if lo > 0 and word and word.start(1) == lo:
        return True  # a "word" longer than the window: no abbreviation
    low = token.lower().rstrip(".")
    if not token:
        return True
    if low in ABBREVIATIONS and not (low in {"no", "p", "ch", "fig", "sun", "sat", "mar", "est"} and not _next_is_number(text, nxt)):
        if "." in low or low in {"u.s", "u.k"}:
            return _next_word(text, nxt).lower() in _STARTERS
        return False
    if len(token) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "J. K. Rowling"
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):
        # a dotted acronym (U.S., e.g.): only a boundary before a typical sentence opener
        return _next_word(text, nxt).lower() in _STARTERS
    return True


def _next_word(text: str, pos: int) -> str:
    m = re.match(r"[\"'“‘«„(\[]*(\w+)", text[pos : pos + 40])
    return m.group(1) if m else ""


def _next_is_number(text: str, pos: int) -> bool:
    return pos < len(text) and text[pos].isdigit()
