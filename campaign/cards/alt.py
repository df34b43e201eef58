"""Alt text for cards: the full quote, who said it, and what the image looks like.

Every platform caps alt text (its rules' `alt_max`). A card goes to several platforms, so its
alt text is made to fit the strictest of them (`campaign.cards.sizes.alt_limit`); a quote too long for
that keeps its first words and ends with an ellipsis (the post itself carries the full text).
`cards.alt` in the YAML overrides the text per highlight id.
"""

from __future__ import annotations

from campaign.config.schema import BIDI_CONTROLS, INVISIBLE
from campaign.errors import CardError

DEFAULT_ALT_LIMIT = 1000


def clean(text: str | None) -> str | None:
    """`text` without bidi embedding, override and isolate controls (None stays None): never
    drawn on a card or written in alt text; the bidi algorithm orders right-to-left text without them."""
    return None if text is None else BIDI_CONTROLS.sub("", text)


def visible(text: str) -> bool:
    """Whether `text` has anything to draw once invisible characters are left out."""
    return bool(INVISIBLE.sub("", text))


def alt_text(quote: str, *, speaker: str | None, role: str | None = None,
             description: str = "", source_line: str | None = None, footer: str | None = None,
             logo: bool = False, limit: int = DEFAULT_ALT_LIMIT, quoted: bool = True,
             language: str = "en") -> str:
    """`Quote card: white text on ... . “QUOTE” — SPEAKER, ROLE.` within `limit` characters;
    with `quoted=False` (the article's own words) `Card: ... . TEXT. SOURCE.` with no marks.

    The label, commas and quotation marks are those of `language` (`alt_words`: a Persian
    card says `کارت نقل‌قول: ... «QUOTE» — NAME، ROLE.`); pass `description` in it too."""
    from campaign.cards.alt_words import words_for

    words = words_for(language)
    quote = clean(quote) or ""
    speaker, role, source_line, footer = clean(speaker), clean(role), clean(source_line), clean(footer)
    what = (words.quote_card if quoted else words.card) + (f": {description}" if description else "")
    if logo:
        what += words.with_logo
    who = ""
    if speaker:
        who = f" — {speaker}" + (f"{words.comma}{role}" if role else "")
    tail = who + "."
    if source_line:
        tail += f" {source_line.rstrip('.')}."
    if footer:
        tail += f" {footer}"
    quote = " ".join(quote.split()).strip("\"“”«»")
    opening, closing = words.quotes if quoted else ("", "")
    head = f"{what}. {opening}"
    room = limit - len(head) - len(closing) - len(tail)
    if room < 20:
        tail = who + "."
        room = limit - len(head) - len(closing) - len(tail)
    if room < 1:
        raise CardError(f"alt text limit {limit} is too small for this card")
    if len(quote) > room:
        cut = quote[: room - 1]
        if " " in cut:
            cut = cut[: cut.rfind(" ")]
        quote = cut.rstrip(" ,;:") + "…"
    if not quoted and quote.endswith((".", "!", "?", "…", "؟", "۔")) and tail.startswith("."):
        tail = tail[1:]
    return (head + quote + closing + tail).strip()


def check_override(text: str, limit: int, highlight_id: str) -> str:
    """An alt text from the YAML, refused (not cut) when it exceeds `limit`."""
    text = (clean(text) or "").strip()
    if not visible(text):
        raise CardError(f"highlight {highlight_id}: cards.alt is empty")
    if len(text) > limit:
        raise CardError(
            f"highlight {highlight_id}: cards.alt is {len(text)} characters, over the "
            f"{limit}-character alt-text limit of this campaign's platforms"
        )
    return text
