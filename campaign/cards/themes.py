"""Built-in card themes, merging with the YAML `cards.theme` fields, and contrast checks.

Built-ins:

- ``dark``: bold white sans on a deep navy gradient, amber accents. The campaign default.
- ``paper``: ink-black serif on warm off-white paper, brick-red accents, like a printed page.
- ``photo``: white sans over a cover-cropped photograph (or, without one, a generated mountain
  landscape at dusk) under a dark gradient scrim that keeps the text legible (WCAG AA).
- ``light``: navy sans on near-white, for organisations with a light brand.

A YAML theme names one as ``base`` and overrides any field (colours, gradient, image, font,
weight, alignment, logo and its corner, quote-mark style).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from campaign.errors import CardError

if TYPE_CHECKING:
    from campaign.config import Theme

Align = Literal["left", "center", "right"]
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
QuoteMark = Literal["curly", "guillemet", "none", "bar"]


@dataclass(frozen=True, slots=True)
class Style:
    """A fully resolved theme: every field has a value."""

    name: str
    background: str
    gradient: tuple[str, ...]
    image: Path | None
    photo: bool  # draw a generated landscape when no image is given
    scrim: float  # 0..1 darkness of the overlay at the bottom (photo themes)
    text_color: str
    muted_color: str
    accent: str
    font: str  # sans | serif | path to .ttf/.otf
    weight: Literal["regular", "bold"]
    align: Align
    logo: Path | None
    logo_corner: Corner
    quote_mark: QuoteMark
    description: str  # for alt text, e.g. "white text on dark navy"

    @property
    def custom_font(self) -> str | None:
        return self.font if self.font.lower().endswith((".ttf", ".otf")) else None

    @property
    def family(self) -> str:
        return "sans" if self.custom_font else self.font


BUILTINS: dict[str, Style] = {
    "dark": Style(
        name="dark", background="#0b1d36", gradient=("#12294a", "#081425"), image=None,
        photo=False, scrim=0.0, text_color="#f7f4ee", muted_color="#aebbd0", accent="#f2b33d",
        font="sans", weight="bold", align="left", logo=None, logo_corner="bottom-right",
        quote_mark="curly", description="white text on a dark navy background with amber accents",
    ),
    "paper": Style(
        name="paper", background="#f5efe3", gradient=("#f8f3ea", "#efe6d4"), image=None,
        photo=False, scrim=0.0, text_color="#1f1b16", muted_color="#5e554a", accent="#a8321e",
        font="serif", weight="regular", align="left", logo=None, logo_corner="bottom-right",
        quote_mark="curly", description="black serif text on warm off-white paper with red accents",
    ),
    "photo": Style(
        name="photo", background="#1d2a3a", gradient=(), image=None, photo=True, scrim=0.74,
        text_color="#ffffff", muted_color="#d5dbe3", accent="#ffc857", font="sans",
        weight="bold", align="left", logo=None, logo_corner="bottom-right", quote_mark="bar",
        description="white text over a darkened photograph of mountains at dusk",
    ),
    "light": Style(
        name="light", background="#fbfbf8", gradient=(), image=None, photo=False, scrim=0.0,
        text_color="#0b1d36", muted_color="#4a5a70", accent="#d1495b", font="sans",
        weight="bold", align="left", logo=None, logo_corner="bottom-right", quote_mark="curly",
        description="dark navy text on a white background with red accents",
    ),
}


def names() -> list[str]:
    return list(BUILTINS)


def resolve(theme: Theme | Style | str, base_dir: Path | None = None) -> Style:
    """A built-in by name, or a YAML `Theme` merged over its base; paths against `base_dir`."""
    if isinstance(theme, Style):
        return theme
    if isinstance(theme, str):
        if theme not in BUILTINS:
            raise CardError(f"unknown theme '{theme}'; built-ins: {', '.join(BUILTINS)}")
        return BUILTINS[theme]
    style = resolve(theme.base)
    changes: dict[str, object] = {}
    base = base_dir or Path.cwd()

    def path(p: str) -> Path:
        q = Path(p).expanduser()
        return q if q.is_absolute() else base / q

    if theme.background:
        changes["background"] = theme.background
        changes["gradient"] = ()
        changes["photo"] = False
        changes["image"] = None
    if theme.gradient:
        changes["gradient"] = tuple(theme.gradient)
        changes["background"] = theme.gradient[0]
        changes["photo"] = False
    if theme.image:
        changes["image"] = path(theme.image)
        changes["photo"] = True
        changes["scrim"] = style.scrim or 0.72
    if theme.text_color:
        changes["text_color"] = theme.text_color
        changes["muted_color"] = mix(theme.text_color, changes.get("background", style.background), 0.25)  # type: ignore[arg-type]
    if theme.accent:
        changes["accent"] = theme.accent
    if theme.font:
        changes["font"] = str(path(theme.font)) if theme.font.lower().endswith((".ttf", ".otf")) else theme.font
        if changes["font"] not in ("sans", "serif") and not str(changes["font"]).lower().endswith((".ttf", ".otf")):
            raise CardError(f"unknown font '{theme.font}'; use sans, serif or a .ttf/.otf file")
    for f in ("weight", "align", "logo_corner", "quote_mark"):
        v = getattr(theme, f)
        if v:
            changes[f] = v
    if theme.logo:
        changes["logo"] = path(theme.logo)
    out = replace(style, **changes)  # type: ignore[arg-type]
    if changes.keys() & {"background", "gradient", "image", "text_color", "accent"}:
        out = replace(out, name=f"{style.name}+custom", description=describe(out))
    return out


# --- colour ------------------------------------------------------------------------------------


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def to_hex(c: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{v:02x}" for v in c)


def mix(a: str, b: str, t: float) -> str:
    """`a` moved a fraction `t` towards `b`."""
    ra, rb = rgb(a), rgb(b)
    return to_hex(tuple(round(x + (y - x) * t) for x, y in zip(ra, rb, strict=True)))  # type: ignore[arg-type]


def luminance(c: tuple[int, int, int] | str) -> float:
    """WCAG relative luminance."""
    if isinstance(c, str):
        c = rgb(c)

    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int] | str, b: tuple[int, int, int] | str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def colour_name(hex_colour: str) -> str:
    """A plain-words name for alt text: "dark navy", "off-white", "amber"..."""
    r, g, b = (v / 255 for v in rgb(hex_colour))
    mx, mn = max(r, g, b), min(r, g, b)
    light = (mx + mn) / 2
    sat = 0.0 if mx == mn else (mx - mn) / (1 - abs(2 * light - 1))
    if sat < 0.12 or mx - mn < 0.06:
        if light > 0.97:
            return "white"
        if light > 0.85:
            return "off-white"
        if light < 0.12:
            return "black"
        return "dark grey" if light < 0.4 else "grey" if light < 0.7 else "light grey"
    if mx == r:
        hue = ((g - b) / (mx - mn)) % 6
    elif mx == g:
        hue = (b - r) / (mx - mn) + 2
    else:
        hue = (r - g) / (mx - mn) + 4
    hue *= 60
    names = [(15, "red"), (40, "orange"), (52, "amber"), (70, "yellow"), (170, "green"),
             (195, "teal"), (225, "blue"), (255, "navy"), (290, "purple"), (335, "pink"),
             (361, "red")]
    name = next(n for limit, n in names if hue < limit)
    if name == "navy" and light > 0.45:
        name = "blue"
    if light > 0.85:
        return "pale " + name if name not in ("amber", "yellow", "orange") else "cream"
    if light < 0.25:
        return "dark " + name if name != "navy" else "dark navy"
    return name


def describe(style: Style) -> str:
    """A short description of the look, for alt text."""
    text = colour_name(style.text_color)
    if style.photo:
        return f"{text} text over a darkened photograph"
    bg = colour_name(style.gradient[0] if style.gradient else style.background)
    return f"{text} text on a {bg} background with {colour_name(style.accent)} accents"


def contrast_warnings(style: Style, samples: list[tuple[int, int, int]] | None = None) -> list[str]:
    """Warnings when text or secondary text is below WCAG AA (4.5:1) against its background.

    `samples` are background colours measured under the text (for photos); otherwise the
    theme's background and gradient stops are used.
    """
    backs = samples or [rgb(c) for c in (style.gradient or (style.background,))]
    out = []
    for label, colour, need in (("text", style.text_color, 4.5), ("secondary text", style.muted_color, 4.5)):
        worst = min(contrast(colour, b) for b in backs)
        if worst < need:
            out.append(
                f"theme '{style.name}': {label} colour {colour} has contrast {worst:.1f}:1 "
                f"against its background, below WCAG AA ({need}:1)"
            )
    return out
