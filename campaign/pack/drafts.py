"""The posts a volunteer pack offers: one per highlight per platform, whatever the accounts."""

from __future__ import annotations

from collections.abc import Sequence

from campaign import platforms
from campaign.config import CampaignConfig
from campaign.models import Card, Draft, Highlight
from campaign.posts.compose import drafts_for_platforms
from campaign.posts.media import media_by_highlight


def pack_platforms() -> list[str]:
    """The platforms volunteers post to by hand (`Rules.volunteer`), built-ins first."""
    return platforms.names(volunteer=True)


def pack_drafts(cfg: CampaignConfig, highlights: Sequence[Highlight], cards: Sequence[Card]) -> list[Draft]:
    """Drafts for every volunteer platform, with the card each platform prefers attached."""
    return [
        d
        for platform in pack_platforms()
        for d in drafts_for_platforms(cfg, highlights, platforms=(platform,),
                                      media=media_by_highlight(list(cards), platform))
    ]
