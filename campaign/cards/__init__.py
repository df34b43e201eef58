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

from campaign.cards.batch import render_campaign
from campaign.cards.card import render_card, render_image
from campaign.cards.render import SIZE_PRESETS, dimensions
from campaign.cards.sizes import alt_limit, budget_for, sizes_for
from campaign.cards.themes import BUILTINS as THEMES

__all__ = [
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
