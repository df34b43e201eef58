"""A compact Unicode bidirectional algorithm (UAX #9) for one line of card text.

Pillow's raqm layout shapes and orders text drawn with *one* font; a card line may mix fonts
(Persian words, a Latin name, an emoji), so we resolve embedding levels ourselves and hand raqm
single-direction, single-font runs in visual order. Explicit embeddings and isolates (rare in
quotes) are treated as boundary neutrals; everything else follows rules W1-W7, N1-N2, I1-I2
and L2 of UAX #9.
"""

from __future__ import annotations

import re
import unicodedata

RTL_LANGUAGES = frozenset({"ar", "fa", "prs", "ps", "ur", "he", "yi", "ckb", "sd", "ug", "dv"})

_STRONG_R = frozenset({"R", "AL"})
_NEUTRAL = frozenset({"B", "S", "WS", "ON", "BN", "LRE", "LRO", "RLE", "RLO", "PDF",
                      "LRI", "RLI", "FSI", "PDI"})


def is_rtl_language(language: str) -> bool:
    """True for a BCP 47 tag whose language is written right to left (fa-AF, ps, ar...)."""
    return language.split("-")[0].lower() in RTL_LANGUAGES


_PERSIAN_LETTERS = frozenset("پچژگکیۀ")  # Persian, Dari and Pashto use them; Arabic does not
_PASHTO_LETTERS = frozenset("ټډړښږڅځګڼۍې")
_ARABIC_SCRIPT = frozenset({"ar", "fa", "prs", "ps", "ur", "ckb", "sd", "ug"})


def script_language(text: str) -> str | None:
    """The language a mostly right-to-left text's letters give away: Pashto, Persian or Arabic
    (told apart by their own letters) for the Arabic script, Hebrew for the Hebrew; None when
    left-to-right letters are as many or there are no right-to-left ones."""
    arabic = hebrew = latin = 0
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "AL":
            arabic += 1
        elif kind == "R":
            hebrew += 1
        elif kind == "L":
            latin += 1
    if arabic and arabic >= latin:
        letters = set(text)
        return "ps" if letters & _PASHTO_LETTERS else "fa" if letters & _PERSIAN_LETTERS else "ar"
    if hebrew and hebrew >= latin:
        return "he"
    return None


def text_language(text: str, language: str = "en") -> str:
    """`language`, unless the text is mostly in the Arabic script and `language` is not written
    in it: then Pashto, Persian or Arabic, told apart by their own letters."""
    if language.split("-")[0].lower() in _ARABIC_SCRIPT:
        return language
    said = script_language(text)
    return said if said in _ARABIC_SCRIPT else language


def base_rtl(text: str, language: str = "en") -> bool:
    """Paragraph direction: the first strong character (P2-P3), else the language's direction."""
    for ch in text:
        t = unicodedata.bidirectional(ch)
        if t == "L":
            return False
        if t in _STRONG_R:
            return True
    return is_rtl_language(language)


# Any character that can raise a level in a left-to-right paragraph: right-to-left letters and
# digits (Hebrew, Arabic, Syriac, Thaana, N'Ko, presentation forms...) and explicit controls.
_MAY_RAISE = re.compile(
    "[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\U00010800-\U00010FFF\U0001E800-\U0001EFFF"
    "\u200F\u202A-\u202E\u2066-\u2069]"
)


def levels(text: str, rtl: bool) -> list[int]:
    """Resolved embedding level of every character of one line."""
    if not rtl and not _MAY_RAISE.search(text):
        return [0] * len(text)  # left-to-right text alone: every level is 0
    return full_levels(text, rtl)


def full_levels(text: str, rtl: bool) -> list[int]:
    """`levels` without its shortcut: the rules applied to every character."""
    base = 1 if rtl else 0
    sos = "R" if rtl else "L"
    types = [unicodedata.bidirectional(ch) or "L" for ch in text]
    n = len(types)
    # W1: non-spacing marks take the type of what precedes them
    prev = sos
    for i, t in enumerate(types):
        if t == "NSM":
            types[i] = prev
        elif t not in ("BN",):
            prev = t
    # W2: European numbers after Arabic letters are Arabic numbers; W3: AL -> R
    last_strong = sos
    for i, t in enumerate(types):
        if t in ("L", "R", "AL"):
            last_strong = t
        elif t == "EN" and last_strong == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]
    # W4: one separator between two numbers of the same kind joins them
    for i in range(1, n - 1):
        if types[i] == "ES" and types[i - 1] == "EN" and types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in ("EN", "AN"):
            types[i] = types[i - 1]
    # W5: terminators next to European numbers become European numbers
    i = 0
    while i < n:
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                for k in range(i, j):
                    types[k] = "EN"
            i = j
        else:
            i += 1
    # W6: remaining separators and terminators are neutral
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]
    # W7: European numbers after a strong L (or an L start) are L
    last_strong = sos
    for i, t in enumerate(types):
        if t in ("L", "R"):
            last_strong = t
        elif t == "EN" and last_strong == "L":
            types[i] = "L"
    # N1/N2: runs of neutrals take the direction of both neighbours, else the embedding's
    i = 0
    while i < n:
        if types[i] in _NEUTRAL:
            j = i
            while j < n and types[j] in _NEUTRAL:
                j += 1
            before = sos if i == 0 else _strong_of(types[i - 1])
            after = sos if j == n else _strong_of(types[j])
            fill = before if before == after else sos
            for k in range(i, j):
                types[k] = fill
            i = j
        else:
            i += 1
    # I1/I2
    out: list[int] = []
    for t in types:
        if base == 0:
            out.append(1 if t == "R" else 2 if t in ("AN", "EN") else 0)
        else:
            out.append(2 if t in ("L", "EN", "AN") else 1)
    # L1: trailing whitespace goes back to the paragraph level
    k = n - 1
    while k >= 0 and text[k].isspace():
        out[k] = base
        k -= 1
    return out


def _strong_of(t: str) -> str:
    return "R" if t in ("R", "AN", "EN") else "L"


def visual_order(lv: list[int]) -> list[int]:
    """L2: logical indices in visual (left-to-right) order."""
    order = list(range(len(lv)))
    if not lv:
        return order
    top = max(lv)
    lowest_odd = min((v for v in lv if v % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if lv[order[i]] >= level:
                j = i
                while j < len(order) and lv[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return order
