"""The whole chain for one campaign: article → highlights → cards → drafts (with media)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from campaign.config import CampaignConfig
from campaign.models import Article, Card, Draft, Highlight, MediaRef

# Preferred card size per platform, in order: the first one rendered is attached.
PREFERRED_SIZES = {
    "x": ("landscape", "square"),
    "mastodon": ("landscape", "square"),
    "bluesky": ("landscape", "square"),
}


@dataclass(frozen=True)
class Build:
    """Everything one campaign build produced."""

    article: Article
    highlights: list[Highlight]
    drafts: list[Draft]
    cards: list[Card] = field(default_factory=list)
    out_dir: Path | None = None

    @property
    def warnings(self) -> list[str]:
        return [w for d in self.drafts for w in d.warnings]


def default_out_dir(cfg: CampaignConfig) -> Path:
    """`./campaign-out/<slug>` in the working folder."""
    return Path.cwd() / "campaign-out" / cfg.campaign.slug


def media_by_highlight(cards: list[Card], platform: str) -> dict[str, list[MediaRef]]:
    """The card each highlight attaches on `platform` (its preferred size, else the first)."""
    order = PREFERRED_SIZES.get(platform, ("landscape", "square"))
    out: dict[str, list[MediaRef]] = {}
    for hid in dict.fromkeys(c.highlight_id for c in cards):
        mine = [c for c in cards if c.highlight_id == hid]
        mine.sort(key=lambda c: order.index(c.size) if c.size in order else len(order))
        c = mine[0]
        mime = "image/jpeg" if c.format in ("jpeg", "jpg") else "image/png"
        out[hid] = [MediaRef(path=c.path, alt=c.alt, mime=mime, width=c.width, height=c.height)]
    return out


def build(
    cfg: CampaignConfig,
    *,
    out_dir: Path | None = None,
    cards: bool = True,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> Build:
    """Read the article, pick highlights, render cards (unless `cards=False`), compose drafts."""
    from campaign.compose import compose, targets_for
    from campaign.highlights import highlights_for

    article, highlights = highlights_for(cfg)
    out = out_dir or default_out_dir(cfg)
    rendered: list[Card] = []
    if cards and cfg.cards.enabled and highlights:
        from campaign.cards import render_campaign

        rendered = render_campaign(cfg, highlights, out / "cards", jobs=jobs, progress=progress)
    drafts: list[Draft] = []
    for target in targets_for(cfg):
        media = media_by_highlight(rendered, target.platform)
        drafts += compose(cfg, highlights, [target], media)
    # keep drafts grouped by highlight, accounts in config order
    order = {h.id: i for i, h in enumerate(highlights)}
    accounts = list(cfg.enabled_accounts())
    drafts.sort(key=lambda d: (order.get(d.highlight_id, 0), accounts.index(d.account)))
    return Build(article, highlights, drafts, rendered, out)
