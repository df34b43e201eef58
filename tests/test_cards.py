"""Quote cards: layout never overflows, scripts are shaped, emoji are colour, bytes are stable."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw, ImageFont

from campaign.cards import budget_for, fonts, render_card, render_image, sizes_for, themes
from campaign.cards.alt import alt_text, check_override
from campaign.cards.bidi import base_rtl, levels, visual_order
from campaign.cards.layout import _greedy, break_words, layout
from campaign.cards.render import SIZE_PRESETS, Text, _draw_text, smarten
from campaign.cards.sizes import alt_limit
from campaign.config import Theme
from campaign.errors import CardError

MASSOUD = ("Do not give in to the Taliban's demands for ransom. Don't be misled into expecting "
           "them to change; they haven't and they won't.")
PERSIAN = "«ما تسلیم نخواهیم شد؛ آزادی افغانستان حق مردم آن است.»"
PASHTO = "ټ ډ ړ ږ ښ ګ ڼ ې ۍ"

# a flat background makes every drawn pixel visible against it
FLAT = replace(themes.BUILTINS["dark"], name="flat", gradient=(), background="#102030")


def _inked_box(img: Image.Image, style: themes.Style) -> tuple[int, int, int, int] | None:
    """Bounding box of every pixel that differs from the flat background."""
    bg = Image.new("RGB", img.size, themes.rgb(style.background))
    return ImageChops.difference(img.convert("RGB"), bg).getbbox()


def _inside(box: tuple[float, float, float, float], w: int, h: int, margin: int) -> bool:
    x0, y0, x1, y1 = box
    return x0 >= margin - 1 and y0 >= margin - 1 and x1 <= w - margin + 1 and y1 <= h - margin + 1


# --- no overflow, ever -----------------------------------------------------------------------

_words = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789.,;:!?'\"-()WMmw") + ["Ж", "щ", "ы", "é", "ß",
                                                                   "س", "ل", "ا", "م", "ښ", "😀"]),
    min_size=1, max_size=40,
)
# a quote of only quote marks and punctuation is empty once its marks are dropped: an error, tested apart
_quotes = st.lists(_words, min_size=1, max_size=60).map(" ".join).map(lambda s: s[:300]).filter(
    lambda s: any(ch.isalnum() or ch == "😀" for ch in s))


@pytest.mark.parametrize("size", list(SIZE_PRESETS))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quote=_quotes, speaker=st.sampled_from([None, "Ahmad Massoud", "احمد مسعود"]))
@example(quote="00000ا 000000000000😀 0 0", speaker=None)  # right to left, an emoji first: the mark's face
def test_random_quotes_never_overflow(size: str, quote: str, speaker: str | None) -> None:
    img, comp = render_image(quote, speaker=speaker, role="Leader of the NRF" if speaker else None,
                             theme=FLAT, size=size, footer="#StandWithNRF")
    w, h = SIZE_PRESETS[size]
    for box in comp.ink_boxes():  # the layout's own measured boxes
        assert _inside(box, w, h, comp.margin), (box, quote)
    inked = _inked_box(img, FLAT)  # and the pixels actually drawn
    assert inked is not None
    assert _inside(inked, w, h, comp.margin), (inked, quote)


def test_single_long_word_is_split_only_when_wider_than_the_card() -> None:
    img, comp = render_image("x" * 300, speaker="A", theme=FLAT, size="landscape")
    assert len(comp.quote.block.lines) > 1
    assert _inside(_inked_box(img, FLAT) or (0, 0, 0, 0), 1200, 675, comp.margin)
    _, comp = render_image("unbreakable words stay whole", speaker="A", theme=FLAT)
    assert all(w in {"unbreakable", "words", "stay", "whole”", "“unbreakable"}
               for ln in comp.quote.block.lines for w in ln.text.split())


def test_too_long_quote_is_an_error_naming_the_highlight() -> None:
    with pytest.raises(CardError, match="abc123.*does not fit"):
        render_card("word " * 900, speaker="A", size="og", highlight_id="abc123")


# --- line breaking ---------------------------------------------------------------------------


def test_balanced_breaks_avoid_orphans_and_even_out_lines() -> None:
    widths = [50.0] * 9 + [60.0]
    greedy = _greedy(widths, 10, 300)
    assert greedy == [5, 10] or len(greedy) == 2
    widths = [80.0, 80.0, 80.0, 80.0, 40.0]  # greedy at 260: 3 words, 1 word, ... orphan risk
    breaks = break_words(widths, 10, 260)
    last = breaks[-1] - breaks[-2]
    assert last >= 2
    # lines are close in width
    chain = fonts.chain("sans", "semibold")
    block = layout(MASSOUD, chain, 60, 900)
    assert block is not None
    lines = [ln.width for ln in block.lines]
    assert max(lines) - min(lines) < 0.35 * max(lines)
    assert len(block.lines[-1].text.split()) >= 2


def test_smart_quotes() -> None:
    assert smarten('"He said \'no\' and didn\'t"') == "He said ‘no’ and didn’t"
    assert smarten("«ما»") == "ما"


# --- scripts ---------------------------------------------------------------------------------


def test_pashto_persian_and_cyrillic_are_covered_by_bundled_fonts() -> None:
    for family in ("sans", "serif"):
        chain = fonts.chain(family, "regular")
        assert chain.covers(PASHTO + PERSIAN + "Привет, мир")
    assert fonts.font_dir().parts[-2:] == ("assets", "fonts")


def test_uncovered_character_is_an_error_not_tofu() -> None:
    with pytest.raises(CardError, match="U\\+6F22"):
        render_card("漢字", speaker="A")


def _count_over(img: Image.Image, threshold: int) -> int:
    """How many pixels of an L image exceed `threshold`."""
    return img.point(lambda v: 255 if v > threshold else 0).histogram()[255]


def _raqm(face: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.bundled(face)), size, layout_engine=ImageFont.Layout.RAQM)


@pytest.mark.parametrize("text,lang", [
    ("ما تسلیم نخواهیم شد؛ آزادی افغانستان حق مردم آن است.", "fa"),
    ("لا تستسلموا لمطالب طالبان", "ar"),
    ("موږ به تسلیم نه شو", "ps"),
])
def test_arabic_script_is_shaped_like_raqm(text: str, lang: str) -> None:
    size = 48
    chain = fonts.chain("sans", "semibold")
    block = layout(text, chain, size, 5000, language=lang)
    assert block is not None and len(block.lines) == 1
    line = block.lines[0]
    assert all(s.rtl for s in line.segs if s.text.strip())
    w = round(line.width) + 40
    ours = Image.new("L", (w, 120), 0)
    _draw_text(ours, Text(block, 20, 10, line.width, "left", "#ffffff"))
    ours = ours.convert("L")

    ref = Image.new("L", (w, 120), 0)
    font = _raqm("NotoSansArabic-SemiBold.ttf", size)
    ImageDraw.Draw(ref).text((20, 10 + block.ascent), text, font=font, fill=255, anchor="ls",
                             direction="rtl", language="fa" if lang == "fa" else lang)
    diff = ImageChops.difference(ours, ref)
    changed = _count_over(diff, 64)
    assert changed < 0.01 * w * 120, changed

    basic = Image.new("L", (w, 120), 0)
    bfont = ImageFont.truetype(str(fonts.bundled("NotoSansArabic-SemiBold.ttf")), size,
                               layout_engine=ImageFont.Layout.BASIC)
    ImageDraw.Draw(basic).text((20, 10 + block.ascent), text, font=bfont, fill=255, anchor="ls")
    unshaped = _count_over(ImageChops.difference(basic, ref), 64)
    assert unshaped > 10 * max(changed, 50)  # the unshaped text really is different


def test_mixed_direction_line_in_visual_order() -> None:
    text = "سلام Hello دنیا"
    assert base_rtl(text)
    lv = levels(text, True)
    order = visual_order(lv)
    visual = "".join(text[i] for i in order)
    assert visual.index("H") < visual.index("o")  # Latin reads left to right inside
    # Persian first word ends up on the right, the last on the left
    assert visual.index("س") > visual.index("H") > visual.index("د")
    chain = fonts.chain("sans", "regular")
    block = layout(text, chain, 40, 4000)
    assert block is not None
    segs = [s for s in block.lines[0].segs if s.text.strip()]
    assert [s.text.strip() for s in segs] == ["دنیا", "Hello", "سلام"]
    assert [s.rtl for s in segs] == [True, False, True]


def test_persian_card_is_right_aligned_with_guillemets() -> None:
    img, comp = render_image(PERSIAN, speaker="احمد مسعود", theme=FLAT, language="fa-AF")
    assert comp.rtl and comp.quote.align == "right"
    assert comp.mark is not None and comp.mark[0] == "«"
    assert comp.quote.block.lines[-1].text.endswith("»")
    inks = comp.quote.ink_boxes()
    right_edges = [b[2] for b in inks]
    assert max(right_edges) - min(right_edges) < 6  # ragged left, flush right


def test_emoji_are_drawn_in_colour_from_the_emoji_font() -> None:
    img, comp = render_image("We stand with you ❤️ 🇦🇫", speaker="A", theme="paper",
                             size="square")
    emoji_segs = [(i, s) for i, ln in enumerate(comp.quote.block.lines) for s in ln.segs
                  if s.emoji]
    assert emoji_segs and all(s.face.name == fonts.EMOJI_FILE for _, s in emoji_segs)
    i, seg = emoji_segs[0]
    ox, base = comp.quote.line_origin(i)
    size = comp.quote.block.size
    box = (int(ox + seg.x), int(base - size), int(ox + seg.x + seg.width), int(base + size * 0.3))
    raw = img.convert("RGB").crop(box).tobytes()
    pixels = [raw[i:i + 3] for i in range(0, len(raw), 3)]
    colourful = [p for p in pixels if max(p) - min(p) > 80]
    assert len(colourful) > 200  # red heart / flag colours, not a monochrome glyph or a box


# --- themes ----------------------------------------------------------------------------------


def test_yaml_theme_merges_over_its_base(tmp_path: Path) -> None:
    style = themes.resolve(Theme(base="paper", accent="#0b6e4f", align="center",
                                 quote_mark="guillemet"), tmp_path)
    assert style.font == "serif" and style.accent == "#0b6e4f" and style.align == "center"
    assert "green" in style.description
    _, comp = render_image("Hello there friends", speaker="A", theme=style)
    assert comp.quote.block.lines[0].text.startswith("«")


def test_low_contrast_theme_warns() -> None:
    style = themes.resolve(Theme(base="dark", background="#808080", text_color="#999999"))
    warnings = themes.contrast_warnings(style)
    assert warnings and "WCAG AA" in warnings[0]
    assert not themes.contrast_warnings(themes.BUILTINS["dark"])
    assert not themes.contrast_warnings(themes.BUILTINS["paper"])


def test_photo_theme_text_is_legible() -> None:
    from campaign.cards.card import warnings_for

    for size in ("square", "story", "landscape"):
        img, comp = render_image(MASSOUD, speaker="Ahmad Massoud", theme="photo", size=size)
        assert warnings_for(img, comp) == []


def test_missing_logo_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CardError, match="logo not found"):
        render_card("Hi", speaker="A", theme=Theme(base="dark", logo="nope.png"),
                    base_dir=tmp_path, highlight_id="h1")


def test_logo_is_drawn_in_its_corner(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (200, 100), (255, 0, 0, 255)).save(logo)
    img, comp = render_image("Hi there", speaker="A", theme=Theme(base="dark", logo="logo.png"),
                             base_dir=tmp_path)
    assert comp.logo is not None
    _, x, y, w, h = comp.logo
    assert x + w <= 1080 - comp.margin and y + h <= 1080 - comp.margin
    assert img.getpixel((x + w // 2, y + h // 2)) == (255, 0, 0)


# --- encoding --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_identical_input_gives_identical_bytes(fmt: str) -> None:
    from campaign.cards import render

    a, alt_a = render_card(MASSOUD, speaker="Ahmad Massoud", size="landscape", fmt=fmt)
    render.background.cache_clear()
    b, alt_b = render_card(MASSOUD, speaker="Ahmad Massoud", size="landscape", fmt=fmt)
    assert a == b and alt_a == alt_b


def _chunks(data: bytes) -> list[bytes]:
    out, pos = [], 8
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        out.append(data[pos + 4:pos + 8])
        pos += 12 + n
    return out


def test_lines_are_drawn_from_their_measured_masks_exactly_as_pillow_draws_them() -> None:
    """The masks rasterized while measuring are what ImageDraw.text draws at the line origin."""
    chain = fonts.chain("sans", "semibold")
    for text, lang in ((MASSOUD, "en"), ("سلام Hello دنیا and more", "fa")):
        block = layout(text, chain, 57, 700, language=lang)
        assert block is not None and all(ln.masks for ln in block.lines)
        t = Text(block, 20.3, 10.6, 700, "right", "#ffffff")
        ours = Image.new("L", (760, round(block.height) + 40), 0)
        _draw_text(ours, t)
        ref = Image.new("L", ours.size, 0)
        d = ImageDraw.Draw(ref)
        for i, line in enumerate(block.lines):
            ox, base = t.line_origin(i)
            assert isinstance(ox, int) and isinstance(base, int)
            for seg in line.segs:
                if seg.text.strip():
                    d.text((ox + seg.x, base), seg.text, font=fonts.load(seg.face, block.size),
                           fill=255, anchor="ls", direction="rtl" if seg.rtl else "ltr",
                           language=lang)
        assert ImageChops.difference(ours, ref).getbbox() is None, text
        for box in t.ink_boxes():  # every drawn pixel is inside the measured ink
            x0, y0, x1, y1 = (round(v) for v in box)
            ours.paste(0, (x0, y0, x1, y1))
        assert ours.getbbox() is None


@pytest.mark.parametrize("theme", ["dark", "paper", "photo"])
def test_png_decodes_to_the_drawn_pixels(theme: str) -> None:
    from campaign.cards.encode import encode

    img, _ = render_image(PERSIAN, speaker="احمد مسعود", theme=theme, size="story", language="fa")
    data = encode(img, "png", 1_000_000)
    back = Image.open(io.BytesIO(data))
    assert back.mode == "RGB" and back.size == img.size
    assert ImageChops.difference(back.convert("RGB"), img).getbbox() is None


def test_jpeg_optimizes_its_tables_before_lowering_quality() -> None:
    from campaign.cards.encode import encode, jpeg

    img, _ = render_image(MASSOUD, speaker="Ahmad Massoud", theme="photo", size="square")
    plain = jpeg(img, optimize=False)
    optimized = jpeg(img)
    assert len(optimized) < len(plain)
    assert encode(img, "jpeg", len(plain)) == plain
    assert encode(img, "jpeg", len(plain) - 1) == optimized  # same quality, smaller tables


def test_png_is_srgb_without_metadata() -> None:
    data, _ = render_card("Hello", speaker="A")
    chunks = _chunks(data)
    assert chunks[:2] == [b"IHDR", b"sRGB"]
    assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"} & set(chunks)
    assert b"/home" not in data and b"/tmp" not in data
    jpeg, _ = render_card("Hello", speaker="A", fmt="jpeg")
    im = Image.open(io.BytesIO(jpeg))
    assert "exif" not in im.info and im.info.get("icc_profile")


@pytest.fixture(scope="module")
def noisy_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import random

    rnd = random.Random(7)
    path = tmp_path_factory.mktemp("photo") / "noise.png"
    # busy like a detailed photograph: ~3.6 MB as a full-colour PNG at story size
    small = Image.frombytes("RGB", (135, 240), rnd.randbytes(135 * 240 * 3))
    small.resize((1080, 1920), Image.Resampling.BICUBIC).save(path)
    return path


@pytest.mark.parametrize("fmt,budget", [("png", 1_000_000), ("jpeg", 1_000_000), ("jpeg", 400_000)])
def test_photo_cards_meet_byte_budgets_without_resizing(noisy_photo: Path, fmt: str,
                                                        budget: int) -> None:
    theme = Theme(base="photo", image=str(noisy_photo))
    data, _ = render_card(MASSOUD, speaker="Ahmad Massoud", theme=theme, size="story",
                          fmt=fmt, budget=budget)
    assert len(data) <= budget
    assert Image.open(io.BytesIO(data)).size == (1080, 1920)


def test_png_photo_is_quantized_into_the_budget(noisy_photo: Path) -> None:
    theme = Theme(base="photo", image=str(noisy_photo))
    data, _ = render_card("Hi", speaker="A", theme=theme, size="story", budget=1_000_000)
    im = Image.open(io.BytesIO(data))
    assert im.mode == "P" and len(data) > 500_000  # near the limit, palette, same size
    assert im.size == (1080, 1920)


def test_impossible_budget_is_an_error(noisy_photo: Path) -> None:
    with pytest.raises(CardError, match="budget"):
        render_card("Hi", speaker="A", theme=Theme(base="photo", image=str(noisy_photo)),
                    size="story", fmt="jpeg", budget=20_000, highlight_id="h9")


# --- alt text, sizes, budgets ----------------------------------------------------------------


def test_alt_text_has_quote_speaker_and_look() -> None:
    _, alt = render_card(MASSOUD, speaker="Ahmad Massoud", role="Leader of the NRF")
    assert MASSOUD[:40] in alt and "Ahmad Massoud, Leader of the NRF" in alt
    assert alt.startswith("Quote card: white text on a dark navy background")


@pytest.mark.parametrize("limit", [1000, 1500, 2000])
def test_alt_text_fits_each_platform_limit(limit: int) -> None:
    long_quote = "word " * 500
    alt = alt_text(long_quote, speaker="A", description="white text", limit=limit)
    assert len(alt) <= limit and alt.endswith("— A.") and "…" in alt
    assert alt_limit(["x", "bluesky"]) == 1000
    assert alt_limit(["mastodon", "bluesky"]) == 1500
    assert alt_limit(["bluesky"]) == 2000


def test_alt_override() -> None:
    _, alt = render_card("Hi", speaker="A", alt="A card that says hi.")
    assert alt == "A card that says hi."
    with pytest.raises(CardError, match="h2.*over the 1000"):
        check_override("x" * 1001, 1000, "h2")


def test_sizes_and_budgets_per_platform() -> None:
    assert sizes_for(["x", "bluesky"], None) == ["square", "landscape"]
    assert sizes_for(["mastodon"], ["story", "square", "900x300"]) == ["square", "story", "900x300"]
    assert sizes_for([], None) == ["square", "landscape"]
    assert budget_for(["x", "mastodon"]) == 5_000_000
    assert budget_for(["x", "bluesky"]) == 1_000_000
    assert budget_for(["mastodon"]) == 16_000_000
    assert budget_for([]) == 1_000_000
    with pytest.raises(CardError):
        sizes_for(["x"], ["huge"])


def test_custom_size() -> None:
    img, comp = render_image("Custom sizes work too", speaker="A", size="900x300")
    assert img.size == (900, 300)


@pytest.mark.parametrize("quote", ["", "   ", "' '", "“”", "« »"])
def test_a_quote_with_no_words_is_an_error_not_a_blank_card(quote: str) -> None:
    with pytest.raises(CardError, match="highlight h1: the quote is empty"):
        render_card(quote, speaker="A", highlight_id="h1")
