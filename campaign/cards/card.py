"""One card from a quote: lay out, draw, encode, and describe (alt text)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.cards import themes
from campaign.cards.alt import DEFAULT_ALT_LIMIT, alt_text, check_override, clean, visible
from campaign.cards.alt_words import look
from campaign.cards.bidi import text_language
from campaign.cards.encode import encode
from campaign.cards.render import Composition, draw, lay_out, sample_under_text
from campaign.errors import CardError

if TYPE_CHECKING:
    from PIL import Image

    from campaign.config import Theme

log = logging.getLogger("campaign.cards")


def render_image(
    text: str,
    *,
    speaker: str | None,
    role: str | None = None,
    theme: Theme | themes.Style | str = "dark",
    size: str = "square",
    language: str = "en",
    source_line: str | None = None,
    footer: str | None = None,
    highlight_id: str = "card",
    base_dir: Path | None = None,
    quoted: bool = True,
) -> tuple[Image.Image, Composition]:
    """The card's pixels and the measured composition (for tests and previews)."""
    text = clean(text) or ""
    speaker, role, source_line, footer = clean(speaker), clean(role), clean(source_line), clean(footer)
    if not visible(text):
        raise CardError(f"highlight {highlight_id}: the quote is empty"
                        + (" (only zero-width or bidi control characters)" if text.strip() else ""))
    style = themes.resolve(theme, base_dir)
    comp = lay_out(text, speaker=speaker, role=role, style=style, size=size, language=language,
                   source_line=source_line, footer=footer, highlight_id=highlight_id, quoted=quoted)
    try:
        img = draw(comp)
    except CardError:
        raise
    except OSError as e:  # a font or image Pillow could not read
        raise CardError(f"highlight {highlight_id}: {e}") from None
    return img, comp


def warnings_for(img: Image.Image, comp: Composition) -> list[str]:
    """WCAG AA contrast warnings for a drawn card."""
    samples = sample_under_text(img, comp) if comp.style.photo or comp.style.image else None
    return themes.contrast_warnings(comp.style, samples)


def render_card(
    text: str,
    *,
    speaker: str | None,
    role: str | None = None,
    theme: Theme | themes.Style | str = "dark",
    size: str = "square",
    language: str = "en",
    source_line: str | None = None,
    footer: str | None = None,
    fmt: str = "png",
    budget: int = 1_000_000,
    highlight_id: str = "card",
    base_dir: Path | None = None,
    alt: str | None = None,
    alt_limit: int = DEFAULT_ALT_LIMIT,
    quoted: bool = True,
) -> tuple[bytes, str]:
    """Render one quote card: (image bytes, alt text).

    `theme` is a built-in name (dark, paper, photo, light), a YAML `Theme` or a resolved
    `Style`; `size` a preset (square, portrait, landscape, story, og) or `WxH`; `fmt` png or
    jpeg, encoded in at most `budget` bytes. `alt` overrides the generated alt text, which is
    kept within `alt_limit` characters. Contrast below WCAG AA is logged as a warning on the
    `campaign.cards` logger. Raises CardError naming `highlight_id` when the quote cannot fit at
    the minimum font size, or a font, logo or image is missing. `quoted=False` draws the
    article's own words (a key sentence) without quotation marks.
    """
    result = render_full(text, speaker=speaker, role=role, theme=theme, size=size,
                         language=language, source_line=source_line, footer=footer, fmt=fmt,
                         budget=budget, highlight_id=highlight_id, base_dir=base_dir, alt=alt,
                         alt_limit=alt_limit, quoted=quoted)
    for w in result.warnings:
        log.warning(w)
    return result.data, result.alt


@dataclass(frozen=True, slots=True)
class Rendered:
    data: bytes
    alt: str
    warnings: tuple[str, ...]
    theme: str
    width: int
    height: int


def render_full(
    text: str,
    *,
    speaker: str | None,
    role: str | None,
    theme: Theme | themes.Style | str,
    size: str,
    language: str,
    source_line: str | None,
    footer: str | None,
    fmt: str,
    budget: int,
    highlight_id: str,
    base_dir: Path | None,
    alt: str | None,
    alt_limit: int,
    quoted: bool = True,
) -> Rendered:
    """`render_card` returning its warnings and resolved theme name instead of logging."""
    img, comp = render_image(text, speaker=speaker, role=role, theme=theme, size=size,
                             language=language, source_line=source_line, footer=footer,
                             highlight_id=highlight_id, base_dir=base_dir, quoted=quoted)
    warns = tuple(warnings_for(img, comp))
    data = encode(img, fmt, budget, what=f"highlight {highlight_id} ({size})")
    if alt is not None:
        description = check_override(alt, alt_limit, highlight_id)
    else:
        said_in = text_language(text, language)  # the alt text speaks the quote's language
        description = alt_text(text, speaker=speaker, role=role,
                               description=look(comp.style, said_in),
                               source_line=source_line, footer=footer,
                               logo=comp.logo is not None, limit=alt_limit, quoted=quoted,
                               language=said_in)
    return Rendered(data, description, warns, comp.style.name, comp.width, comp.height)
