"""Text helpers for fitting posts: sentence spans, safe cut points, typographic quotes."""

from __future__ import annotations

import re

import regex

_SENTENCE_END = re.compile(
    r"""(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)"""
    r"""(?<![.!?؟。…])[.!?؟。…]++["”’»)\]]*+(?=\s|$)"""  # linear: a run of marks is matched once
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Contiguous (start, end) spans covering `text`, one per sentence, trailing blanks included."""
    spans: list[tuple[int, int]] = []
    start = 0
    last = len(text.rstrip())  # past it only blanks remain (never re-scanned per sentence)
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if end > start and (m.end() >= last or _next_starts_sentence(text, end)):
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _next_starts_sentence(text: str, i: int) -> bool:
    nxt = text[i:i + 1]
    return bool(nxt) and not nxt.islower()


def grapheme_boundaries(text: str) -> set[int]:
    """Offsets where one extended grapheme cluster ends and another begins (0 and len included)."""
    out = {0}
    pos = 0
    for g in regex.finditer(r"\X", text):
        pos = g.end()
        out.add(pos)
    return out


def cut_points(text: str, entities: list[tuple[int, int, str]]) -> list[int]:
    """Offsets after a whole word where `text` may be cut: not inside a URL, mention, hashtag or grapheme."""
    bounds = grapheme_boundaries(text)
    points = []
    for m in re.finditer(r"\S(?=\s)", text):
        i = m.end()
        if i in bounds and not any(s < i < e for s, e, _ in entities):
            points.append(i)
    return points


def smart_quotes(text: str, nested: bool = False) -> str:
    """Straight quotes to typographic ones; `nested`: double quotes inside a quote become ‘ ’."""
    open_d, close_d = ("‘", "’") if nested else ("“", "”")

    def double(m: re.Match[str]) -> str:
        i = m.start()
        before = text[i - 1] if i else " "
        return open_d if before.isspace() or before in "([{—–-/" else close_d

    text = re.sub('"', double, text)
    # apostrophes and single quotes: opening after a blank, else closing/apostrophe
    out = []
    for i, ch in enumerate(text):
        if ch == "'":
            before = text[i - 1] if i else " "
            out.append("‘" if before.isspace() or before in "([{—–-/“‘" else "’")
        else:
            out.append(ch)
    return "".join(out)
