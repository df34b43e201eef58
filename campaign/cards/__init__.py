"""Quote cards: beautiful, accessible, right-to-left-correct images, rendered with Pillow.

Public API (the names other stages use):

- `render_card(text, *, speaker, role=None, theme="dark", size="square", language="en",
  source_line=None, footer=None, fmt="png", budget=1_000_000, highlight_id="card",
  base_dir=None) -> (bytes, alt_text)`: one card.
- `render_campaign(cfg, highlights, out_dir, *, jobs=1, progress=None) -> list[Card]`: every
  card of a campaign in every size its accounts need, plus `manifest.json` and
  `contact-sheet.png`; each image has its alt text beside it in `<name>.alt.txt`.
- `sizes_for(platforms, configured) -> list[str]` and `budget_for(platforms) -> int`.
- `alt_limit(platforms) -> int`, `SIZE_PRESETS`, `THEMES`.

Fonts come only from the bundled `assets/fonts` (see `campaign.cards.fonts`). Pillow is
imported lazily, inside the functions that draw.
"""

from __future__ import annotations

from collections.abc import Iterable

from campaign.cards.alt import alt_limit
from campaign.cards.batch import render_campaign
from campaign.cards.card import render_card, render_image
from campaign.cards.render import SIZE_PRESETS, dimensions
from campaign.cards.themes import BUILTINS as THEMES

# Sizes each platform's timeline shows best: a wide card for link-style previews and a square
# one that survives every crop. Unknown platforms get both.
PLATFORM_SIZES: dict[str, tuple[str, ...]] = {
    "x": ("landscape", "square"),
    "mastodon": ("landscape", "square"),
    "bluesky": ("landscape", "square"),
}
DEFAULT_SIZES = ("landscape", "square")

# Largest image each platform accepts, in bytes.
BUDGETS: dict[str, int] = {"bluesky": 1_000_000, "x": 5_000_000, "mastodon": 16_000_000}
DEFAULT_BUDGET = 1_000_000


def sizes_for(platforms: Iterable[str], configured: list[str] | None) -> list[str]:
    """The sizes a campaign renders: `configured` (cards.sizes) wins, else each platform's.

    Pass the accounts' rules platforms (an outbox account counts as what it simulates).
    Presets come in a stable order (square, portrait, landscape, story, og), then custom sizes.
    """
    if configured:
        wanted = list(dict.fromkeys(configured))
    else:
        wanted = []
        plats = list(platforms)
        for p in plats or [""]:
            wanted += PLATFORM_SIZES.get(p, DEFAULT_SIZES)
        wanted = list(dict.fromkeys(wanted))
    for s in wanted:
        dimensions(s)  # CardError for a bad size
    order = list(SIZE_PRESETS)
    presets = [s for s in order if s in wanted]
    return presets + [s for s in wanted if s not in SIZE_PRESETS]


def budget_for(platforms: Iterable[str]) -> int:
    """The strictest image byte budget of `platforms` (1,000,000 when none is known)."""
    budgets = [BUDGETS.get(p, DEFAULT_BUDGET) for p in platforms]
    return min(budgets) if budgets else DEFAULT_BUDGET


__all__ = [
    "BUDGETS",
    "SIZE_PRESETS",
    "THEMES",
    "alt_limit",
    "budget_for",
    "dimensions",
    "render_campaign",
    "render_card",
    "render_image",
    "sizes_for",
]
