"""A word diff of a post against the text that was approved (shown after an edit)."""

from __future__ import annotations

import difflib
import re

Piece = tuple[str, str]  # ("=" kept, "-" removed, "+" added), the words with their spacing


def word_diff(old: str, new: str) -> list[Piece]:
    """`old` → `new` word by word (spaces kept with the word before them)."""
    a, b = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    out: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return out


def diff_text(old: str, new: str) -> str:
    """The word diff as plain text: [-removed-] {+added+}."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return "".join(marks[op].format(text) for op, text in word_diff(old, new))
