"""Text layout: shaped, bidi-ordered runs; balanced line breaking; binary-search fitting.

All widths are measured with the real fonts (raqm shaping), never estimated from character
counts. A `Block` is a laid-out paragraph at one font size: its lines in visual order, each
line's segments with their x offsets, and the measured ink and metric extents the renderer and
the tests check against the box.

The ink of a final line is measured by rasterizing it: each segment's coverage mask is rendered
once (Pillow's `getmask2`, as `ImageDraw.text` does) and kept on the `Line`, so its box is exact
to the pixel and the renderer pastes the same mask instead of shaping and rasterizing again. Lines
are drawn at whole-pixel origins (see `render.Text.line_origin`), which is what makes a mask
rendered before the line is placed the one that is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from campaign.cards import bidi, fonts

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

_GRAPHEME = regex.compile(r"\X")
EMOJI_SCALE = 1.0  # emoji em relative to the text em


@dataclass(frozen=True, slots=True)
class Seg:
    """A single-font, single-direction piece of a line, in visual position."""

    text: str
    face: Path
    emoji: bool
    rtl: bool
    x: float  # left edge relative to the line start
    width: float


# A segment's rendered coverage: (Pillow "L" core image, dx, dy), to be drawn with its top-left at
# (line start + dx, baseline + dy) for a line start on a whole pixel.
Mask = tuple[Any, int, int]


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # logical order
    segs: tuple[Seg, ...]
    width: float
    ink: tuple[float, float, float, float]  # x0, y0, x1, y1 relative to (line start, baseline)
    # one per segment (None: blank or emoji); empty when the ink was not measured
    masks: tuple[Mask | None, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph laid out at `size` px: lines, line advance and vertical extents."""

    size: int
    lines: tuple[Line, ...]
    advance: float  # baseline-to-baseline distance
    ascent: float  # from the block top to the first baseline
    descent: float  # from the last baseline to the block bottom
    width: float  # widest line (advance widths)
    rtl: bool
    language: str

    @property
    def height(self) -> float:
        return self.ascent + self.advance * (len(self.lines) - 1) + self.descent


# --- measuring ---------------------------------------------------------------------------------


def _font(face: Path, size: int) -> FreeTypeFont:
    return fonts.load(face, size)


def _raqm_lang(language: str) -> str | None:
    tag = language.split("-")[0].lower()
    return {"prs": "fa"}.get(tag, tag) or None


@lru_cache(maxsize=65536)
def seg_width(face: Path, emoji: bool, size: int, text: str, rtl: bool, language: str) -> float:
    """Advance width of one run in pixels."""
    font = _font(face, size)
    direction = "rtl" if rtl else "ltr"
    if emoji:
        return font.getlength(text, direction=direction) * size * EMOJI_SCALE / fonts.EMOJI_PPEM
    return font.getlength(text, direction=direction, language=_raqm_lang(language))


@lru_cache(maxsize=65536)
def seg_ink(face: Path, emoji: bool, size: int, text: str, rtl: bool, language: str
            ) -> tuple[float, float, float, float]:
    """Ink box of one run relative to its left baseline origin."""
    font = _font(face, size)
    direction = "rtl" if rtl else "ltr"
    if emoji:
        k = size * EMOJI_SCALE / fonts.EMOJI_PPEM
        x0, y0, x1, y1 = font.getbbox(text, anchor="ls", direction=direction)
        return (x0 * k, y0 * k, x1 * k, y1 * k)
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls", direction=direction,
                                  language=_raqm_lang(language))
    return (float(x0), float(y0), float(x1), float(y1))


def clear_caches() -> None:
    """Forget every text measurement (the benchmark makes each card pay for its own)."""
    seg_width.cache_clear()
    seg_ink.cache_clear()
    word_width.cache_clear()


def _segments(text: str, chain: fonts.Chain, size: int, rtl: bool, language: str
              ) -> tuple[list[Seg], float]:
    """One line's single-font, single-direction segments in visual order, and its width."""
    runs = chain.runs(text)
    lv = bidi.levels(text, rtl)
    # logical pieces of one face and one level
    pieces: list[tuple[str, int, int]] = []  # text, face index, level
    if len(runs) == 1 and not any(lv):  # one face, left to right: the common case
        pieces.append((runs[0][0], runs[0][1], 0))
    else:
        pos = 0
        for run_text, face_idx in runs:
            start = pos
            for k in range(len(run_text)):
                level = lv[pos + k]
                if pieces and k > 0 and pieces[-1][1] == face_idx and pieces[-1][2] == level:
                    t, f, lvl = pieces[-1]
                    pieces[-1] = (t + run_text[k], f, lvl)
                else:
                    pieces.append((run_text[k], face_idx, level))
            pos = start + len(run_text)
    order = bidi.visual_order([p[2] for p in pieces])
    segs: list[Seg] = []
    x = 0.0
    for i in order:
        t, face_idx, level = pieces[i]
        face = chain.faces[face_idx]
        seg_rtl = level % 2 == 1
        w = seg_width(face.path, face.emoji, size, t, seg_rtl, language)
        segs.append(Seg(t, face.path, face.emoji, seg_rtl, x, w))
        x += w
    return segs, x


def render_seg(seg: Seg, size: int, language: str) -> Mask | None:
    """Rasterize a text segment as drawn from a whole-pixel line start (None if no ink)."""
    font = _font(seg.face, size)
    xi = math.floor(seg.x)
    mask, (ox, oy) = font.getmask2(seg.text, "L", "rtl" if seg.rtl else "ltr", None,
                                   _raqm_lang(language), 0, "ls", 0, (seg.x - xi, 0.0))
    if mask.size[0] == 0 or mask.size[1] == 0:
        return None
    return (mask, xi + ox, oy)


def _inked(text: str, segs: list[Seg], width: float, size: int, language: str) -> Line:
    """The line with every segment rasterized and its exact ink box."""
    masks: list[Mask | None] = []
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for seg in segs:
        m = None
        if seg.text.strip():
            if seg.emoji:
                a, b, c, d = seg_ink(seg.face, True, size, seg.text, seg.rtl, language)
                a, c = seg.x + a, seg.x + c
            else:
                m = render_seg(seg, size, language)
                if m is None:
                    masks.append(None)
                    continue
                core, dx, dy = m
                a, b, c, d = dx, dy, dx + core.size[0], dy + core.size[1]
            x0, y0, x1, y1 = min(x0, a), min(y0, b), max(x1, c), max(y1, d)
        masks.append(m)
    if x0 == math.inf:
        x0 = y0 = x1 = y1 = 0.0
    return Line(text, tuple(segs), width, (float(x0), float(y0), float(x1), float(y1)),
                tuple(masks))


def shape_line(text: str, chain: fonts.Chain, size: int, rtl: bool, language: str, *,
               ink: bool = True) -> Line:
    """Split one line into font runs, resolve bidi levels, and order the runs visually.

    With `ink=True` every segment is also rasterized (see `Line.masks`) for its exact ink box;
    `ink=False` leaves the box at zero: enough for measuring.
    """
    segs, width = _segments(text, chain, size, rtl, language)
    if ink:
        return _inked(text, segs, width, size, language)
    return Line(text, tuple(segs), width, (0.0, 0.0, 0.0, 0.0))


def with_ink(line: Line, size: int, language: str) -> Line:
    """`line` (shaped with `ink=False`) with its segments rasterized and its ink measured."""
    if line.masks:
        return line
    return _inked(line.text, list(line.segs), line.width, size, language)


# --- line breaking -----------------------------------------------------------------------------


Space = float | Sequence[float]


def _gaps(space: Space, n: int) -> Sequence[float]:
    """The space before each word: one width for all, or each word's own (0 for a piece of a
    link glued to the one before it)."""
    return [float(space)] * n if isinstance(space, int | float) else space


def _greedy(widths: list[float], space: Space, limit: float) -> list[int]:
    """Break points (end indices) filling each line as much as possible."""
    gaps = _gaps(space, len(widths))
    breaks: list[int] = []
    cur = -1.0
    for i, w in enumerate(widths):
        if cur < 0:
            cur = w
        elif cur + gaps[i] + w <= limit:
            cur += gaps[i] + w
        else:
            breaks.append(i)
            cur = w
    breaks.append(len(widths))
    return breaks


def _balanced(widths: list[float], space: Space, limit: float, target: float,
              nlines: int) -> list[int]:
    """Break into exactly `nlines` lines no wider than `limit`, each close to `target`.

    Cost: the sum of squared distances to `target` (lines may run past it, up to `limit`,
    at a higher price), plus a heavy penalty for a last line holding a single word when the
    text has more (an orphan). Dynamic programming over break points.
    """
    n = len(widths)
    if nlines <= 1:
        return [n]
    gaps = _gaps(space, n)
    prefix, gap_prefix = [0.0], [0.0]
    for w, g in zip(widths, gaps, strict=True):
        prefix.append(prefix[-1] + w)
        gap_prefix.append(gap_prefix[-1] + g)

    def width(i: int, j: int) -> float:  # words i..j-1, with the spaces between them
        return prefix[j] - prefix[i] + gap_prefix[j] - gap_prefix[i + 1]

    inf = float("inf")
    orphan = (limit * 4) ** 2
    # best[k][j]: minimal cost laying words 0..j-1 on k lines
    best = [[inf] * (n + 1) for _ in range(nlines + 1)]
    back = [[0] * (n + 1) for _ in range(nlines + 1)]
    best[0][0] = 0.0
    for k in range(1, nlines + 1):
        for j in range(k, n + 1):
            if k == nlines and j != n:
                continue
            for i in range(j - 1, k - 2, -1):
                w = width(i, j)
                if w > limit:
                    break
                if best[k - 1][i] == inf:
                    continue
                d = target - w
                cost = d * d if d >= 0 else 3 * d * d
                if k == nlines:
                    cost *= 0.5  # a slightly short last line is fine
                    if j - i == 1 and n > nlines:
                        cost += orphan
                total = best[k - 1][i] + cost
                if total < best[k][j]:
                    best[k][j] = total
                    back[k][j] = i
    if best[nlines][n] == inf:
        return _greedy(widths, space, limit)
    breaks = []
    j = n
    for k in range(nlines, 0, -1):
        breaks.append(j)
        j = back[k][j]
    return breaks[::-1]


def break_words(widths: list[float], space: Space, limit: float) -> list[int]:
    """Balanced breaks: the fewest lines greedy needs at `limit`, then evened out.

    The narrowest width keeping that line count is found by binary search (like CSS
    `text-wrap: balance`); the breaks are then chosen by dynamic programming to bring every
    line close to it, using the full `limit` where that avoids an orphaned last word.
    """
    if not widths:
        return [0]
    greedy = _greedy(widths, space, limit)
    nlines = len(greedy)
    if nlines == 1:
        return greedy
    lo, hi = max(widths), limit
    for _ in range(14):
        mid = (lo + hi) / 2
        if len(_greedy(widths, space, mid)) <= nlines:
            hi = mid
        else:
            lo = mid
    return _balanced(widths, space, limit, hi, nlines)


# A link: a scheme, `www.`, or a domain followed by a path.
_LINK = regex.compile(r"(?i)^\W*(?:[a-z][a-z0-9+.-]*://|www\.|[\w-]+(?:\.[\w-]+)+/)\S")
# where a link may break: after each of / ? & = - . (a run of them stays together: `://`, `//`)
_LINK_BREAK = regex.compile(r"[^/?&=.\-]*[/?&=.\-]+")
MIN_LINK_PIECE = 4  # characters: `en&` is kept with what follows it rather than left alone


def link_pieces(word: str) -> list[str]:
    """A link cut where it may break across lines (after / ? & = - .); any other word whole."""
    if not _LINK.match(word):
        return [word]
    pieces: list[str] = []
    pos = 0
    for m in _LINK_BREAK.finditer(word):
        if m.start() != pos:
            break
        pieces.append(m.group())
        pos = m.end()
    if pos < len(word):
        pieces.append(word[pos:])
    merged: list[str] = []
    for p in pieces:  # no piece so short it would look like a stray fragment on its line, and
        # the scheme and `www.` stay with the name that follows them
        if merged and (len(merged[-1]) < MIN_LINK_PIECE or len(p) < MIN_LINK_PIECE
                       or merged[-1].endswith("//") or merged[-1].lower().endswith("www.")):
            merged[-1] += p
        else:
            merged.append(p)
    return merged


def tokens(paragraph: str) -> tuple[list[str], list[bool]]:
    """The paragraph's words, links cut into pieces; `glued[i]`: no space before token i."""
    out: list[str] = []
    glued: list[bool] = []
    for word in paragraph.split():
        for k, piece in enumerate(link_pieces(word)):
            out.append(piece)
            glued.append(k > 0)
    return out, glued


def join(words: Sequence[str], glued: Sequence[bool], start: int, end: int) -> str:
    """Tokens start..end-1 as one line's text: spaces between words, none inside a link."""
    return "".join(w if k == start or glued[k] else " " + w for k, w in enumerate(words[start:end], start))


def split_long_word(word: str, fits: _Fits) -> list[str]:
    """Split a word wider than the box between graphemes (the only time a word is split)."""
    parts: list[str] = []
    cur = ""
    for g in _GRAPHEME.findall(word):
        if cur and not fits(cur + g):
            parts.append(cur)
            cur = g
        else:
            cur += g
    if cur:
        parts.append(cur)
    return parts


class _Fits:
    def __init__(self, measure: _Measure, limit: float):
        self.measure, self.limit = measure, limit

    def __call__(self, text: str) -> bool:
        return self.measure(text) <= self.limit


class _Measure:
    def __init__(self, chain: fonts.Chain, size: int, rtl: bool, language: str):
        self.chain, self.size, self.rtl, self.language = chain, size, rtl, language

    def __call__(self, text: str) -> float:
        return word_width(self.chain, self.size, self.rtl, self.language, text)


REF_SIZE = 200  # words are measured once at this size and scaled during the size search


@lru_cache(maxsize=65536)
def word_width(chain: fonts.Chain, size: int, rtl: bool, language: str, word: str) -> float:
    """Advance width of a word (or any text) at `size`, shaped exactly."""
    return shape_line(word, chain, size, rtl, language, ink=False).width


def _space(chain: fonts.Chain, size: int, rtl: bool, language: str) -> float:
    face = chain.faces[0] if not rtl else _rtl_face(chain)
    return seg_width(face.path, False, size, " ", rtl, language)


def layout(text: str, chain: fonts.Chain, size: int, max_width: float, *, language: str = "en",
           leading: float = 1.25, allow_split: bool = False, arabic_extra: float = 0.2
           ) -> Block | None:
    """Lay `text` out at `size` px within `max_width`; None when a word is too wide.

    With `allow_split`, a word wider than the box is split between graphemes instead.
    Explicit newlines in `text` are kept as paragraph breaks.
    """
    rtl = bidi.base_rtl(text, language)
    measure = _Measure(chain, size, rtl, language)
    space = _space(chain, size, rtl, language)
    lines: list[Line] = []
    for para in text.split("\n"):
        if not para.split():
            continue
        whole = shape_line(" ".join(para.split()), chain, size, rtl, language, ink=False)
        if whole.width <= max_width:  # one line (a name, a role): no need to measure words
            lines.append(with_ink(whole, size, language))
            continue
        words, glued = tokens(para)
        widths = [measure(w) for w in words]
        if max(widths) > max_width:
            if not allow_split:
                return None
            split: list[str] = []
            split_glued: list[bool] = []
            for w, ww, g in zip(words, widths, glued, strict=True):
                parts = split_long_word(w, _Fits(measure, max_width)) if ww > max_width else [w]
                split += parts
                split_glued += [g] + [True] * (len(parts) - 1)
            words, glued = split, split_glued
            widths = [measure(w) for w in words]
        start = 0
        gaps = [0.0 if g else space for g in glued]
        for end in break_words(widths, gaps, max_width):
            lines.append(shape_line(join(words, glued, start, end), chain, size, rtl, language))
            start = end
    if not lines:
        lines = [shape_line(" ", chain, size, rtl, language)]
    return _block(lines, chain, size, leading, arabic_extra, rtl, language)


def _block(lines: list[Line], chain: fonts.Chain, size: int, leading: float,
           arabic_extra: float, rtl: bool, language: str) -> Block:
    faces = {s.face for ln in lines for s in ln.segs if not s.emoji}
    ascent = descent = 0.0
    for face in faces or {chain.faces[0].path}:
        a, d = _font(face, size).getmetrics()
        ascent, descent = max(ascent, a), max(descent, d)
    uses_arabic = any(f != chain.faces[0].path for f in faces)
    adv = size * (leading + arabic_extra if uses_arabic else leading)
    # metrics first; the measured ink wins where it reaches further (marks, emoji)
    ascent = max(ascent * 0.92, max(-ln.ink[1] for ln in lines[:1]))
    descent = max(descent, max(ln.ink[3] for ln in lines[-1:]))
    width = max(max(ln.width, ln.ink[2]) - min(0.0, ln.ink[0]) for ln in lines)
    return Block(size, tuple(lines), adv, ascent, descent, width, rtl, language)


def _rtl_face(chain: fonts.Chain) -> fonts.Face:
    for f in chain.faces:
        if 0x0627 in f.cover:
            return f
    return chain.faces[0]


def fit(text: str, chain: fonts.Chain, max_width: float | Callable[[int], float],
        max_height: float, *,
        min_size: int, max_size: int, language: str = "en", leading: float = 1.25,
        extra_height: Callable[[int], float] | None = None) -> Block | None:
    """The largest size in [min_size, max_size] whose layout fits the box (binary search).

    `extra_height(size)` adds height that scales with the quote size (a decorative mark).
    Returns None when even `min_size` does not fit.

    Every word is shaped once, at `REF_SIZE`, and its width scaled to the size being tried. The
    search itself only counts lines (greedy breaking on the scaled widths; balancing keeps the
    count) and estimates the height from the fonts' metrics, so it shapes nothing. At the size
    it finds, the balanced lines are shaped exactly and rasterized; when their exact widths or
    ink do not fit, or the last line is a lone word, the next size down is tried.
    """
    rtl = bidi.base_rtl(text, language)
    paras = [tokens(p) for p in text.split("\n") if p.split()]
    if not paras:
        return layout(text, chain, min_size, _width(max_width, min_size), language=language,
                      leading=leading)
    ref = [[word_width(chain, REF_SIZE, rtl, language, w) for w in words] for words, _ in paras]
    ref_space = _space(chain, REF_SIZE, rtl, language)
    ref_gaps = [[0.0 if g else ref_space for g in glued] for _, glued in paras]
    widest = max(max(r) for r in ref)
    # metrics of the faces the text uses, at REF_SIZE (scaled with the size, like the widths)
    faces = {chain.faces[i].path for _, i in chain.runs(" ".join(" ".join(p) for p, _ in paras))
             if not chain.faces[i].emoji}
    metrics = [_font(f, REF_SIZE).getmetrics() for f in faces or {chain.faces[0].path}]
    ref_ascent = max(m[0] for m in metrics) * 0.92
    ref_descent = max(m[1] for m in metrics)
    line_gap = leading + 0.2 if any(f != chain.faces[0].path for f in faces) else leading

    def check(b: Block | None, width: float) -> Block | None:
        if b is None:
            return None
        extra = extra_height(b.size) if extra_height else 0.0
        if b.height + extra > max_height or b.width > width + 0.5:
            return None
        return b

    def estimate(size: int) -> bool:
        """Whether `size` may fit, from scaled widths and metrics (no shaping)."""
        width = _width(max_width, size)
        k = size / REF_SIZE
        if widest * k > width:
            return False
        n = sum(len(_greedy(r, g, width / k)) for r, g in zip(ref, ref_gaps, strict=True))
        height = (ref_ascent + ref_descent) * k + size * line_gap * (n - 1)
        extra = extra_height(size) if extra_height else 0.0
        return height + extra <= max_height

    def breaks(size: int) -> list[str]:
        """The balanced lines at `size`, from the scaled word widths."""
        width = _width(max_width, size)
        k = size / REF_SIZE
        space = _space(chain, size, rtl, language)
        out = []
        for (words, glued), r in zip(paras, ref, strict=True):
            start = 0
            gaps = [0.0 if g else space for g in glued]
            for end in break_words([w * k for w in r], gaps, width):
                out.append(join(words, glued, start, end))
                start = end
        return out

    def exact(size: int, texts: list[str]) -> Block | None:
        """Shape and rasterize `texts` at `size`; None unless every line and its ink fit."""
        width = _width(max_width, size)
        lines = [shape_line(t, chain, size, rtl, language, ink=False) for t in texts]
        if any(ln.width > width for ln in lines):
            return None  # the scaled estimate was a hair too optimistic at this size
        ends = {0, len(lines) - 1}  # vertical extents first: the ink of the first and last lines
        for i in ends:
            lines[i] = with_ink(lines[i], size, language)
        if check(_block(lines, chain, size, leading, 0.2, rtl, language), width) is None:
            return None
        lines = [with_ink(ln, size, language) for ln in lines]
        return check(_block(lines, chain, size, leading, 0.2, rtl, language), width)

    def split_at_min() -> Block | None:
        b = layout(text, chain, min_size, _width(max_width, min_size), language=language,
                   leading=leading, allow_split=True)
        return check(b, _width(max_width, min_size))

    if not estimate(min_size):
        return split_at_min()
    lo, hi = min_size, max_size
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if estimate(mid):
            lo = mid
        else:
            hi = mid - 1
    # the size found, exactly; step down if ink or an orphan objects (an orphaned layout only
    # when no size down to 88% avoids it)
    orphaned: list[tuple[int, list[str]]] = []
    for size in range(lo, max(min_size, int(lo * 0.88)) - 1, -1):
        texts = breaks(size)
        if _orphaned(texts):
            orphaned.append((size, texts))
            continue
        b = exact(size, texts)
        if b is not None:
            return b
    for size, texts in orphaned:
        b = exact(size, texts)
        if b is not None:
            return b
    for size in range(min(lo, int(lo * 0.88)) - 1, min_size - 1, -1):
        b = exact(size, breaks(size))
        if b is not None:
            return b
    return split_at_min()


def _width(max_width: float | Callable[[int], float], size: int) -> float:
    return max_width(size) if callable(max_width) else max_width


def _orphaned(texts: list[str]) -> bool:
    """A single word alone on the last line of a text with more words than lines."""
    if len(texts) < 2:
        return False
    words = sum(len(t.split()) for t in texts)
    return len(texts[-1].split()) == 1 and words > len(texts)


def has_orphan(block: Block) -> bool:
    """A single word alone on the last line of a text with more words than lines."""
    return _orphaned([ln.text for ln in block.lines])
