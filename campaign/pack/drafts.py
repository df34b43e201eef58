"""The posts a volunteer pack offers: one per highlight per platform, whatever the accounts."""

from __future__ import annotations

from campaign.compose import drafts_for_platforms
from campaign.config import CampaignConfig
from campaign.models import Draft
from campaign.pipeline import Build, media_by_highlight

PACK_PLATFORMS = ("x", "mastodon", "bluesky")


def pack_drafts(cfg: CampaignConfig, built: Build) -> list[Draft]:
    """Drafts for X, Mastodon and Bluesky with the card each platform prefers attached."""
    return [
        d
        for platform in PACK_PLATFORMS
        for d in drafts_for_platforms(cfg, built.highlights, platforms=(platform,),
                                      media=media_by_highlight(built.cards, platform))
    ]
