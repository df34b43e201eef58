"""The images a draft carries: each highlight's card in the size its platform prefers."""

from __future__ import annotations

from campaign import platforms
from campaign.models import Card, MediaRef


def media_by_highlight(cards: list[Card], platform: str) -> dict[str, list[MediaRef]]:
    """The card each highlight attaches on `platform` (its rules' first `card_sizes` rendered)."""
    order = platforms.get(platform).card_sizes
    out: dict[str, list[MediaRef]] = {}
    for hid in dict.fromkeys(c.highlight_id for c in cards):
        mine = [c for c in cards if c.highlight_id == hid]
        mine.sort(key=lambda c: order.index(c.size) if c.size in order else len(order))
        c = mine[0]
        mime = "image/jpeg" if c.format in ("jpeg", "jpg") else "image/png"
        out[hid] = [MediaRef(path=c.path, alt=c.alt, mime=mime, width=c.width, height=c.height)]
    return out
