"""Compose one card: background, quote, attribution, footer and logo, within safe margins.

The layout is computed in `lay_out()` (pure measuring, no pixels) and drawn in `draw()`; the
returned `Composition` keeps every box, so tests can check that the measured ink of each line
stays inside the safe area.

Vertical rhythm: the quote and its attribution form one group, centred (slightly above centre)
in the space left by the footer band; the quote takes the largest size that fits, found by
binary search between a minimum and a maximum that scale with the card's area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.cards import bidi, fonts
from campaign.cards.backgrounds import background
from campaign.cards.layout import Block, fit, layout
from campaign.cards.themes import Style
from campaign.config.schema import SIZE_PRESETS as SIZE_PRESETS  # re-exported
from campaign.errors import CardError

if TYPE_CHECKING:
    from PIL import Image


OPENING = {"en": "“", "de": "„", "fr": "«", "ru": "«", "uk": "«", "es": "«", "it": "«"}
CLOSING = {"en": "”", "de": "“", "fr": "»", "ru": "»", "uk": "»", "es": "»", "it": "»"}
_STRIP = "\"'“”„‟«»‹›‘’‚‛「」『』 \t\n"


def dimensions(size: str) -> tuple[int, int]:
    """Pixels of a preset (`square`...) or a custom `WxH`."""
    if size in SIZE_PRESETS:
        return SIZE_PRESETS[size]
    try:
        w, h = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise CardError(f"unknown size '{size}'; use {', '.join(SIZE_PRESETS)} or WxH") from None
    if not (200 <= w <= 4096 and 200 <= h <= 4096):
        raise CardError(f"size {size} out of range (200 to 4096 pixels a side)")
    return w, h


def quote_marks(language: str, style: str, rtl: bool = False) -> tuple[str, str]:
    """Opening and closing marks for a language and quote-mark style (« » for RTL text)."""
    if style in ("none", "bar"):
        return "", ""
    tag = language.split("-")[0].lower()
    if style == "guillemet" or rtl or bidi.is_rtl_language(language):
        return "«", "»"
    return OPENING.get(tag, "“"), CLOSING.get(tag, "”")


def smarten(text: str) -> str:
    """Strip outer quotes and make inner straight quotes typographic."""
    t = " ".join(text.split())
    while len(t) > 1 and t[0] in _STRIP and t[-1] in _STRIP and t[0] != t[-1] or (
        len(t) > 1 and t[0] == t[-1] and t[0] in "\"'"
    ):
        t = t[1:-1].strip()
    out = []
    open_double = True
    for i, ch in enumerate(t):
        prev = t[i - 1] if i else " "
        if ch == '"':
            out.append("“" if open_double else "”")
            open_double = not open_double
        elif ch == "'":
            out.append("‘" if (prev.isspace() or prev in "([{“") else "’")
        else:
            out.append(ch)
    return "".join(out)


# --- geometry ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A laid-out block with its position: `x` is the column's left edge, `y` its top."""

    block: Block
    x: float
    y: float
    width: float  # column width
    align: str
    color: str

    def line_origin(self, i: int) -> tuple[int, int]:
        """Where line `i` starts on its baseline, rounded to a whole pixel.

        Whole pixels let the masks rasterized while measuring (`Line.masks`) be drawn as they
        are; the shift is under half a pixel.
        """
        line = self.block.lines[i]
        baseline = self.y + self.block.ascent + i * self.block.advance
        if self.align == "right":
            x = self.x + self.width - line.width
        elif self.align == "center":
            x = self.x + (self.width - line.width) / 2
        else:
            x = self.x
        return math.floor(x + 0.5), math.floor(baseline + 0.5)

    def ink_boxes(self) -> list[tuple[float, float, float, float]]:
        """Absolute ink box of every line."""
        out = []
        for i, line in enumerate(self.block.lines):
            ox, oy = self.line_origin(i)
            x0, y0, x1, y1 = line.ink
            if x1 > x0:
                out.append((ox + x0, oy + y0, ox + x1, oy + y1))
        return out


@dataclass
class Composition:
    """Everything placed on a card, in pixels."""

    width: int
    height: int
    margin: int
    style: Style
    quote: Text
    attribution: list[Text] = field(default_factory=list)
    footer: Text | None = None
    mark: tuple[str, float, float, int, bool] | None = None  # glyph, x, baseline, size, rtl
    bar: tuple[float, float, float, float] | None = None
    rule: tuple[float, float, float, float] | None = None
    logo: tuple[Path, int, int, int, int] | None = None  # path, x, y, w, h
    rtl: bool = False

    def texts(self) -> list[Text]:
        return [self.quote, *self.attribution, *([self.footer] if self.footer else [])]

    def mark_face(self) -> Any:
        """The face the opening mark is drawn in: the first line's first text (not emoji) face."""
        return next((s.face for s in self.quote.block.lines[0].segs if not s.emoji), None)

    def ink_boxes(self) -> list[tuple[float, float, float, float]]:
        boxes = [b for t in self.texts() for b in t.ink_boxes()]
        if self.mark:
            glyph, x, base, size, rtl = self.mark
            face = self.mark_face()
            if face is not None:
                from campaign.cards.layout import seg_ink

                x0, y0, x1, y1 = seg_ink(face, False, size, glyph, rtl, self.quote.block.language)
                boxes.append((x + x0, base + y0, x + x1, base + y1))
        return boxes


def _unit(w: int, h: int) -> float:
    return math.sqrt(w * h) / 1080


#: Story viewers (Instagram, WhatsApp, Facebook) draw over a 9:16 image: the progress bar, the
#: account's name and the close button over its top ~14%, the reply field and reactions over
#: its bottom ~20%. Text and logos on a card that tall stay out of both bands.
STORY_RATIO = 1.7  # height / width from which a card is a story (9:16 is 1.78)
STORY_TOP, STORY_BOTTOM = 0.14, 0.20


def _margin(w: int, h: int) -> int:
    return round(min(w, h) * 0.085)


def safe_area(w: int, h: int) -> tuple[float, float, float, float]:
    """Left, top, right and bottom edges text and logos stay within: the margins, and on a
    story-shaped card the bands phone apps cover."""
    margin = _margin(w, h)
    top, bottom = float(margin), float(h - margin)
    if h / w >= STORY_RATIO:
        top, bottom = max(top, math.ceil(h * STORY_TOP)), min(bottom, math.floor(h * (1 - STORY_BOTTOM)))
    return float(margin), top, float(w - margin), bottom


def lay_out(
    quote: str,
    *,
    speaker: str | None,
    role: str | None,
    style: Style,
    size: str,
    language: str,
    source_line: str | None,
    footer: str | None,
    highlight_id: str,
    quoted: bool = True,
) -> Composition:
    """Measure and place every element of a card (no pixels drawn). `quoted=False`: the article's
    own words (a key sentence), shown without quotation marks."""
    w, h = dimensions(size)
    u = _unit(w, h)
    margin = _margin(w, h)
    quote_weight = "semibold" if style.weight == "bold" else "regular"
    qchain = fonts.chain(style.family, quote_weight, style.custom_font)
    name_chain = fonts.chain(style.family, "bold", style.custom_font)
    small_chain = fonts.chain(style.family, "regular", style.custom_font)
    text = smarten(quote)
    if not text:
        raise CardError(f"highlight {highlight_id}: the quote is empty")
    rtl = bidi.base_rtl(text, language)
    align = style.align
    if rtl and align == "left":
        align = "right"
    opening, closing = quote_marks(language, style.quote_mark, rtl) if quoted else ("", "")
    hang = bool(opening) and align != "center"
    if opening and not hang:
        text = opening + text
    text = text + closing

    left, top, right, bottom = safe_area(w, h)
    story = h / w >= STORY_RATIO

    # logo
    logo_box = None
    if style.logo:
        logo_box = _place_logo(style.logo, style.logo_corner, (left, top, right, bottom), u,
                               highlight_id)
        lx, ly, lw, lh = logo_box
        if style.logo_corner.startswith("top"):
            top = ly + lh + 28 * u

    # footer band
    footer_text = None
    small = max(14, round(26 * u))
    if footer:
        fblock = layout(footer, small_chain, small, right - left, language=language,
                        allow_split=True)
        assert fblock is not None
        fblock = fblock if len(fblock.lines) == 1 else _one_line(footer, small_chain, small, right - left, language)
        f_align = "left"
        if logo_box and style.logo_corner.startswith("bottom"):
            f_align = "right" if style.logo_corner.endswith("left") else "left"
        elif align in ("right", "center"):
            f_align = align
        fy = bottom - fblock.height
        if logo_box and style.logo_corner.startswith("bottom"):
            fy = logo_box[1] + logo_box[3] / 2 - fblock.height / 2
        footer_text = Text(fblock, left, fy, right - left, f_align, style.muted_color)
        bottom = min(bottom, fy) - 40 * u
    elif logo_box and style.logo_corner.startswith("bottom"):
        bottom = logo_box[1] - 40 * u

    # attribution
    attr_height = 0.0
    rule_h = max(3, round(5 * u))
    rule_w = round(56 * u)
    name_size = max(16, round(36 * u))
    role_size = max(14, round(27 * u))
    src_size = max(13, round(23 * u))
    lines_spec = []
    if speaker:
        lines_spec.append((speaker, name_chain, name_size, style.text_color, 6 * u))
    if role:
        lines_spec.append((role, small_chain, role_size, style.muted_color, 4 * u))
    if source_line:
        lines_spec.append((source_line, small_chain, src_size, style.muted_color, 0.0))
    attr_blocks: list[tuple[Block, str, float]] = []
    for t, ch, sz, colour, gap_after in lines_spec:
        b = layout(" ".join(t.split()), ch, sz, right - left, language=language, leading=1.3,
                   allow_split=True)
        assert b is not None
        attr_blocks.append((b, colour, gap_after))
        attr_height += b.height + gap_after
    use_rule = bool(attr_blocks) and style.quote_mark != "bar"
    gap_quote_attr = 44 * u
    if use_rule:
        attr_height += rule_h + 26 * u
    if attr_blocks:
        attr_height += gap_quote_attr

    # the quote: binary search on size
    min_size = max(16, round(25 * u))
    # at most ~11 ems per column: bigger looks shouty and breaks a line every word or two
    max_size = max(min_size, min(round(92 * u), round((right - left) / 11)))
    bar_w = round(7 * u) if style.quote_mark == "bar" else 0
    bar_gap = round(34 * u) if bar_w else 0
    col_left, col_right = left + bar_w + bar_gap, right
    if bar_w and rtl:
        col_left, col_right = left, right - bar_w - bar_gap
    avail_h = bottom - top - attr_height
    leading = 1.22 if style.family == "sans" else 1.3

    def mark_width(sz: int) -> float:
        if not hang:
            return 0.0
        from campaign.cards.layout import seg_width

        return seg_width(qchain.faces[_mark_face(qchain, opening)].path, False, sz, opening,
                         rtl, language)

    def width_at(sz: int) -> float:
        return col_right - col_left - mark_width(sz)

    if avail_h < min_size:
        raise CardError(f"highlight {highlight_id}: no room for the quote on a {w}x{h} card")
    block = fit(text, qchain, width_at, avail_h, min_size=min_size, max_size=max_size,
                language=language, leading=leading)
    if block is None:
        raise CardError(
            f"highlight {highlight_id}: the quote ({len(quote)} characters) does not fit a "
            f"{size} card even at the minimum size of {min_size}px; shorten it or use a taller size"
        )
    mw = mark_width(block.size)
    q_x = col_left + (mw if hang and not rtl else 0.0)
    q_w = col_right - col_left - mw
    if story and hang and align == ("right" if rtl else "left") and len(block.lines) > 1:
        # a story is seen alone, full screen: balanced lines leave the quote narrower than its
        # column, so it is centred in it (its lines still flush to the side they start from) and
        # a right-to-left quote does not hug the right edge with a third of the phone empty; a
        # one-line quote keeps to its side
        beside = [b.width for b, _, _ in attr_blocks] + ([footer_text.block.width] if footer_text else [])
        slack = max(0.0, min(q_w - block.width, 2 * (q_w - max(beside, default=0.0)))) / 2
        q_w -= slack
        if not rtl:
            q_x += slack

    # centre the group slightly above the optical middle
    group_h = block.height + attr_height
    slack = bottom - top - group_h
    y = top + slack * 0.46
    qtext = Text(block, q_x, y, q_w, align, style.text_color)
    comp = Composition(w, h, margin, style, qtext, rtl=rtl)
    if hang:
        ox, base = qtext.line_origin(0)
        line_w = block.lines[0].width
        if rtl:
            comp.mark = (opening, ox + line_w, base, block.size, True)
        else:
            comp.mark = (opening, ox - mw, base, block.size, False)
    if bar_w:
        bx = left if not rtl else right - bar_w
        inks = qtext.ink_boxes()
        top_ink = min(b[1] for b in inks) if inks else y
        bot_ink = max(b[3] for b in inks) if inks else y + block.height
        comp.bar = (bx, top_ink, bx + bar_w, bot_ink)
    y += block.height
    if attr_blocks:
        y += gap_quote_attr
        if use_rule:
            rx = {"left": q_x, "right": q_x + q_w - rule_w, "center": (w - rule_w) / 2}[align]
            comp.rule = (rx, y, rx + rule_w, y + rule_h)
            y += rule_h + 26 * u
        for b, colour, gap_after in attr_blocks:
            ax, aw = (q_x, q_w) if align == "left" else (col_left, col_right - col_left)
            if rtl and hang:
                aw = q_w
            comp.attribution.append(Text(b, ax, y, aw, align, colour))
            y += b.height + gap_after
    if footer_text is not None:
        footer_text = Text(footer_text.block, q_x if align != "center" else left, footer_text.y,
                           q_w if align != "center" else right - left, footer_text.align,
                           footer_text.color)
    comp.footer = footer_text
    if logo_box:
        comp.logo = (style.logo, *logo_box) if style.logo else None
    return comp


def _mark_face(chain: fonts.Chain, mark: str) -> int:
    idx = chain.pick(mark) if mark else 0
    return idx or 0


def _one_line(text: str, chain: fonts.Chain, size: int, width: float, language: str) -> Block:
    """Shrink a footer until it fits on one line."""
    for sz in range(size, 9, -1):
        b = layout(text, chain, sz, 1e9, language=language)
        if b is not None and b.width <= width:
            return b
    b = layout(text, chain, 10, width, language=language, allow_split=True)
    assert b is not None
    return b


@lru_cache(maxsize=16)
def _logo_image(path: Path) -> Image.Image:
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as im:
            im.load()
            return im.convert("RGBA")
    except FileNotFoundError:
        raise CardError(f"logo not found: {path}") from None
    except OSError as e:
        raise CardError(f"cannot read logo {path}: {e}") from None


def _place_logo(path: Path, corner: str, area: tuple[float, float, float, float], u: float,
                highlight_id: str) -> tuple[int, int, int, int]:
    if not path.is_file():
        raise CardError(f"highlight {highlight_id}: logo not found: {path}")
    im = _logo_image(path)
    max_h, max_w = 72 * u, 260 * u
    k = min(max_h / im.height, max_w / im.width)
    lw, lh = max(1, round(im.width * k)), max(1, round(im.height * k))
    left, top, right, bottom = area
    x = round(left) if corner.endswith("left") else round(right) - lw
    y = math.ceil(top) if corner.startswith("top") else math.floor(bottom) - lh
    return x, y, lw, lh


# --- pixels ------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _emoji(text: str, size: int) -> Image.Image:
    """A colour emoji run, drawn from the 109 px bitmap strike and scaled to `size`."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    from campaign.cards.layout import EMOJI_SCALE

    font = fonts.load(fonts.bundled(fonts.EMOJI_FILE), fonts.EMOJI_PPEM)
    x0, y0, x1, y1 = font.getbbox(text, anchor="ls")
    im = PILImage.new("RGBA", (max(1, int(x1 - x0)), max(1, int(y1 - y0))), (0, 0, 0, 0))
    ImageDraw.Draw(im).text((-x0, -y0), text, font=font, anchor="ls", embedded_color=True)
    k = size * EMOJI_SCALE / fonts.EMOJI_PPEM
    return im.resize((max(1, round(im.width * k)), max(1, round(im.height * k))),
                     PILImage.Resampling.LANCZOS)


def _draw_text(img: Image.Image, t: Text) -> None:
    from PIL import ImageDraw

    from campaign.cards.layout import EMOJI_SCALE, _raqm_lang, render_seg

    d = ImageDraw.Draw(img)
    lang = _raqm_lang(t.block.language)
    ink = d._getink(t.color)[0]
    masks_ok = d.fontmode == "L"
    for i, line in enumerate(t.block.lines):
        ox, base = t.line_origin(i)
        for j, seg in enumerate(line.segs):
            if not seg.text.strip():
                continue
            if seg.emoji:
                font = fonts.load(seg.face, fonts.EMOJI_PPEM)
                x0, y0, _x1, _y1 = font.getbbox(seg.text, anchor="ls")
                k = t.block.size * EMOJI_SCALE / fonts.EMOJI_PPEM
                em = _emoji(seg.text, t.block.size)
                img.paste(em, (round(ox + seg.x + x0 * k), round(base + y0 * k)), em)
                continue
            if masks_ok:  # the coverage rasterized while measuring, else rasterized now
                m = line.masks[j] if line.masks else render_seg(seg, t.block.size,
                                                                t.block.language)
                if m is not None:
                    core, dx, dy = m
                    d.draw.draw_bitmap((ox + dx, base + dy), core, ink)
                continue
            font = fonts.load(seg.face, t.block.size)
            d.text((ox + seg.x, base), seg.text, font=font, fill=t.color, anchor="ls",
                   direction="rtl" if seg.rtl else "ltr", language=lang)


def draw(comp: Composition) -> Image.Image:
    """Paint a composition."""
    from PIL import ImageDraw

    style = comp.style
    img = background(style, comp.width, comp.height).copy()
    d = ImageDraw.Draw(img)
    if comp.bar:
        d.rectangle(comp.bar, fill=style.accent)
    if comp.rule:
        d.rectangle(comp.rule, fill=style.accent)
    if comp.mark:
        glyph, x, base, size, rtl = comp.mark
        face = comp.mark_face()
        if face is not None:
            from campaign.cards.layout import _raqm_lang

            font = fonts.load(face, size)
            d.text((x, base), glyph, font=font, fill=style.accent, anchor="ls",
                   direction="rtl" if rtl else "ltr", language=_raqm_lang(comp.quote.block.language))
    for t in comp.texts():
        _draw_text(img, t)
    if comp.logo:
        path, x, y, lw, lh = comp.logo
        logo = _logo_image(path).resize((lw, lh), _lanczos())
        img.paste(logo, (x, y), logo)
    return img


def _lanczos() -> int:
    from PIL import Image as PILImage

    return PILImage.Resampling.LANCZOS


def sample_under_text(img: Image.Image, comp: Composition) -> list[tuple[int, int, int]]:
    """Background colours under the quote (for the contrast check on photos)."""
    boxes = comp.quote.ink_boxes()
    if not boxes:
        return []
    x0 = max(0, int(min(b[0] for b in boxes)))
    y0 = max(0, int(min(b[1] for b in boxes)))
    x1 = min(img.width, int(max(b[2] for b in boxes)) + 1)
    y1 = min(img.height, int(max(b[3] for b in boxes)) + 1)
    small, f = _small_background(comp.style, comp.width, comp.height)
    box = (x0 // f, y0 // f, max(x0 // f + 1, -(-x1 // f)), max(y0 // f + 1, -(-y1 // f)))
    region = small.crop(box).resize((12, 12))
    raw = region.convert("RGB").tobytes()
    px = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    px.sort(key=sum)
    return px[-8:]


@lru_cache(maxsize=32)
def _small_background(style: Style, w: int, h: int) -> tuple[Image.Image, int]:
    """The background averaged over 8x8 blocks (cached): enough to sample colours from."""
    f = 8
    return background(style, w, h).reduce(f), f
