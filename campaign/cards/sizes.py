"""Which card sizes, byte budget and alt-text length a campaign's platforms call for.

Each comes from the platforms' declared rules (`campaign.platforms`): `card_sizes`,
`max_image_bytes`, `alt_max`. A platform that is not real (the outbox) or not installed
contributes the defaults, so a dry run renders what a real campaign would.
"""

from __future__ import annotations

from collections.abc import Iterable

from campaign import platforms
from campaign.cards.alt import DEFAULT_ALT_LIMIT
from campaign.cards.render import SIZE_PRESETS, dimensions
from campaign.errors import UnknownPlatformError
from campaign.platforms import Rules

DEFAULT_SIZES = ("landscape", "square")
# How each preset is named for people (the pack, the studio).
SIZE_LABELS = {
    "square": "Square",
    "portrait": "Portrait",
    "landscape": "Landscape",
    "story": "Story",
    "og": "Link preview",
}
DEFAULT_BUDGET = 1_000_000


def _rules(name: str) -> Rules | None:
    try:
        rules = platforms.get(name)
    except UnknownPlatformError:
        return None
    return rules if rules.real else None


def sizes_for(names: Iterable[str], configured: list[str] | None) -> list[str]:
    """The sizes a campaign renders: `configured` (cards.sizes) wins, else each platform's.

    Pass the accounts' rules platforms (an outbox account counts as what it simulates).
    Presets come in a stable order (square, portrait, landscape, story, og), then custom sizes.
    """
    if configured:
        wanted = list(dict.fromkeys(configured))
    else:
        wanted = []
        for name in list(names) or [""]:
            rules = _rules(name) if name else None
            wanted += rules.card_sizes if rules else DEFAULT_SIZES
        wanted = list(dict.fromkeys(wanted))
    for s in wanted:
        dimensions(s)  # CardError for a bad size
    presets = [s for s in SIZE_PRESETS if s in wanted]
    return presets + [s for s in wanted if s not in SIZE_PRESETS]


def budget_for(names: Iterable[str]) -> int:
    """The strictest image byte budget of the platforms (1,000,000 when none is known)."""
    budgets = [r.max_image_bytes if (r := _rules(n)) else DEFAULT_BUDGET for n in names]
    return min(budgets) if budgets else DEFAULT_BUDGET


def alt_limit(names: Iterable[str]) -> int:
    """The strictest alt-text limit of the platforms (1000 when none is known)."""
    limits = [r.alt_max if (r := _rules(n)) else DEFAULT_ALT_LIMIT for n in names]
    return min(limits) if limits else DEFAULT_ALT_LIMIT
