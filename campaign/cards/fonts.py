"""Bundled fonts: discovery, glyph coverage, and a fallback chain chosen per run of text.

Rendering never touches the machine's fonts. Fonts are looked up, in order, in:

1. the folder named by the environment variable ``CAMPAIGN_FONT_DIR``;
2. ``<repo>/assets/fonts`` found relative to this file (``Path(__file__).parents[2]``), which is
   where they live in a source checkout and in an editable install (``pip install -e .``);
3. ``<sys.prefix>/share/campaign/fonts``, for a wheel that ships the fonts as data files.

Coverage comes from each font's own ``cmap`` table (read here, no fontTools needed), so the
chain picks, for every character, the first font that really has a glyph for it: the theme's
face for Latin, Cyrillic and Greek, Noto Sans Arabic / Noto Naskh Arabic for Persian, Dari,
Pashto and Arabic, Noto Color Emoji for emoji. Fonts are cached per process.
"""

from __future__ import annotations

import os
import re
import struct
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.errors import CardError

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

EMOJI_FILE = "NotoColorEmoji.ttf"
EMOJI_PPEM = 109  # the only strike in Noto Color Emoji (CBDT bitmaps)

# family -> weight -> (Latin/Cyrillic face, Arabic-script face)
FAMILIES: dict[str, dict[str, tuple[str, str]]] = {
    "sans": {
        "regular": ("NotoSans-Regular.ttf", "NotoSansArabic-Regular.ttf"),
        "semibold": ("NotoSans-SemiBold.ttf", "NotoSansArabic-SemiBold.ttf"),
        "bold": ("NotoSans-Bold.ttf", "NotoSansArabic-Bold.ttf"),
    },
    "serif": {
        "regular": ("NotoSerif-Regular.ttf", "NotoNaskhArabic-Regular.ttf"),
        "semibold": ("NotoSerif-SemiBold.ttf", "NotoNaskhArabic-SemiBold.ttf"),
        "bold": ("NotoSerif-Bold.ttf", "NotoNaskhArabic-Bold.ttf"),
    },
}


def font_dirs() -> list[Path]:
    """Candidate folders for the bundled fonts, in lookup order."""
    dirs: list[Path] = []
    env = os.environ.get("CAMPAIGN_FONT_DIR")
    if env:
        dirs.append(Path(env))
    dirs.append(Path(__file__).resolve().parents[2] / "assets" / "fonts")
    dirs.append(Path(sys.prefix) / "share" / "campaign" / "fonts")
    return dirs


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """The first folder that holds the bundled fonts; CardError if none does."""
    for d in font_dirs():
        if (d / FAMILIES["sans"]["regular"][0]).is_file():
            return d
    tried = ", ".join(str(d) for d in font_dirs())
    raise CardError(f"bundled fonts not found (looked in {tried}); set CAMPAIGN_FONT_DIR")


def bundled(name: str) -> Path:
    """Path of one bundled font file; CardError if it is missing."""
    p = font_dir() / name
    if not p.is_file():
        raise CardError(f"font file missing: {p}")
    return p


# --- coverage from the cmap table ------------------------------------------------------------


def _read_cmap(data: bytes) -> frozenset[int]:
    """Code points mapped by a TrueType/OpenType font (cmap formats 4 and 12)."""
    num_tables = struct.unpack_from(">H", data, 4)[0]
    cmap_off = None
    for i in range(num_tables):
        tag, _check, off, _len = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"cmap":
            cmap_off = off
            break
    if cmap_off is None:
        return frozenset()
    n = struct.unpack_from(">H", data, cmap_off + 2)[0]
    subtables: dict[int, int] = {}
    for i in range(n):
        platform, encoding, off = struct.unpack_from(">HHI", data, cmap_off + 4 + 8 * i)
        if platform == 3 or platform == 0:
            fmt = struct.unpack_from(">H", data, cmap_off + off)[0]
            if fmt in (4, 12):
                subtables.setdefault(fmt, cmap_off + off)
    points: set[int] = set()
    if 12 in subtables:
        base = subtables[12]
        ngroups = struct.unpack_from(">I", data, base + 12)[0]
        for g in range(ngroups):
            start, end, glyph = struct.unpack_from(">III", data, base + 16 + 12 * g)
            if glyph or end > start:
                points.update(range(start if glyph else start + 1, end + 1))
    elif 4 in subtables:
        base = subtables[4]
        segx2 = struct.unpack_from(">H", data, base + 6)[0]
        seg = segx2 // 2
        ends = struct.unpack_from(f">{seg}H", data, base + 14)
        starts = struct.unpack_from(f">{seg}H", data, base + 16 + segx2)
        deltas = struct.unpack_from(f">{seg}h", data, base + 16 + 2 * segx2)
        range_off_pos = base + 16 + 3 * segx2
        offsets = struct.unpack_from(f">{seg}H", data, range_off_pos)
        for i in range(seg):
            for c in range(starts[i], ends[i] + 1):
                if c == 0xFFFF:
                    continue
                if offsets[i] == 0:
                    glyph = (c + deltas[i]) & 0xFFFF
                else:
                    pos = range_off_pos + 2 * i + offsets[i] + 2 * (c - starts[i])
                    glyph = struct.unpack_from(">H", data, pos)[0]
                    if glyph:
                        glyph = (glyph + deltas[i]) & 0xFFFF
                if glyph:
                    points.add(c)
    return frozenset(points)


@cache
def coverage(path: Path) -> frozenset[int]:
    """The set of code points a font file has glyphs for (cached per process)."""
    try:
        return _read_cmap(path.read_bytes())
    except (OSError, struct.error) as e:
        raise CardError(f"cannot read font {path}: {e}") from None


@lru_cache(maxsize=256)
def load(path: Path, size: int) -> FreeTypeFont:
    """A raqm-layout FreeType font at `size` pixels (cached per process).

    The emoji font only has a 109 px strike; it is always loaded at that size and scaled.
    """
    from PIL import ImageFont

    if path.name == EMOJI_FILE:
        size = EMOJI_PPEM
    try:
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    except OSError as e:
        raise CardError(f"cannot load font {path}: {e}") from None


# --- the fallback chain ----------------------------------------------------------------------


def _is_attaching(ch: str) -> bool:
    """Characters that belong to the run around them (marks, joiners, variation selectors)."""
    cp = ord(ch)
    if cp in (0x200C, 0x200D, 0x20E3) or 0xFE00 <= cp <= 0xFE0F or 0xE0020 <= cp <= 0xE007F:
        return True
    if 0x1F3FB <= cp <= 0x1F3FF:  # skin tone modifiers
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Cf")


def _is_neutral(ch: str) -> bool:
    """Spaces, punctuation and digits: they stay in the current run when its font has them."""
    cat = unicodedata.category(ch)
    return cat[0] in ("Z", "P", "N", "S") and not _is_emoji_char(ch)


def _is_emoji_char(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x1F1E6 <= cp <= 0x1F1FF
        or cp in (0x2B50, 0x2B55, 0x2934, 0x2935, 0x3030, 0x303D, 0x3297, 0x3299, 0x00A9, 0x00AE)
    )


@dataclass(frozen=True, slots=True)
class Face:
    """One font file of a chain, with its coverage."""

    path: Path
    cover: frozenset[int]
    emoji: bool = False


# Characters that may need a face other than the text face: emoji, variation selectors, joiners.
_NOT_PLAIN = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u2934\u2935\u3030\u303D\u3297\u3299"
    "\u00A9\u00AE\uFE00-\uFE0F\u200C\u200D\u20E3\U000E0020-\U000E007F]"
)


@dataclass(frozen=True, slots=True)
class Chain:
    """An ordered list of faces: text, Arabic-script text, emoji."""

    faces: tuple[Face, ...]

    def pick(self, ch: str) -> int | None:
        """Index of the first face that has a glyph for `ch`, preferring emoji for emoji."""
        cp = ord(ch)
        if _is_emoji_char(ch) or 0xFE0F == cp:
            for i, f in enumerate(self.faces):
                if f.emoji and cp in f.cover:
                    return i
        for i, f in enumerate(self.faces):
            if cp in f.cover:
                return i
        return None

    def runs(self, text: str) -> list[tuple[str, int]]:
        """Split `text` into (substring, face index) runs by glyph coverage.

        Raises CardError for a character no bundled font has (never draws a tofu box).
        """
        first = self.faces[0]
        if not first.emoji and first.cover.issuperset(map(ord, text)) and not _NOT_PLAIN.search(text):
            return [(text, 0)] if text else []  # the common case: one run in the text face
        return self.full_runs(text)

    def full_runs(self, text: str) -> list[tuple[str, int]]:
        """`runs` without its shortcut: a face chosen character by character."""
        out: list[tuple[str, int]] = []
        cur: list[str] = []
        cur_face: int | None = None
        for ch in text:
            if cur_face is not None and (
                _is_attaching(ch)
                or (_is_neutral(ch) and not self.faces[cur_face].emoji
                     and ord(ch) in self.faces[cur_face].cover)
            ):
                cur.append(ch)
                continue
            idx = self.pick(ch)
            if idx is None:
                if _is_attaching(ch) or ch.isspace():
                    idx = 0
                else:
                    name = unicodedata.name(ch, "unnamed character")
                    raise CardError(
                        f"no bundled font has U+{ord(ch):04X} {name} ({ch!r}); "
                        "remove it or add a font that covers it"
                    )
            if idx != cur_face and cur:
                out.append(("".join(cur), cur_face if cur_face is not None else 0))
                cur = []
            cur_face = idx
            cur.append(ch)
        if cur:
            out.append(("".join(cur), cur_face if cur_face is not None else 0))
        return out

    def covers(self, text: str) -> bool:
        """True when every character of `text` has a glyph in some face."""
        try:
            self.runs(text)
        except CardError:
            return False
        return True


@lru_cache(maxsize=64)
def chain(family: str = "sans", weight: str = "regular", custom: str | None = None) -> Chain:
    """The fallback chain for a family and weight; `custom` is a .ttf/.otf path put first."""
    fam = FAMILIES.get(family)
    if fam is None:
        raise CardError(f"unknown font family '{family}'; use sans, serif or a .ttf/.otf path")
    latin, arabic = fam.get(weight) or fam["regular"]
    faces: list[Face] = []
    if custom:
        p = Path(custom)
        if not p.is_file():
            raise CardError(f"font file not found: {p}")
        faces.append(Face(p, coverage(p)))
    for name in (latin, arabic):
        p = bundled(name)
        faces.append(Face(p, coverage(p)))
    emoji = bundled(EMOJI_FILE)
    faces.append(Face(emoji, coverage(emoji), emoji=True))
    return Chain(tuple(faces))
