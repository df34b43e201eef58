"""A one-paragraph, plain-words summary of what a campaign config will do."""

from __future__ import annotations

from typing import Any

from campaign.config import SIZE_PRESETS, CampaignConfig


def summarize(cfg: CampaignConfig) -> dict[str, Any]:
    """What the campaign reads, picks, posts where, renders and when, as data and as text."""
    accounts = cfg.enabled_accounts()
    by_acct = [
        f"{name} ({a.platform}" + (f" as {a.simulate}" if a.simulate else "") + ")"
        for name, a in accounts.items()
    ]
    tags = " ".join("#" + h.tag + ("?" if h.optional else "") for h in cfg.posts.hashtags)
    sizes = cfg.cards.sizes or ["(per platform)"]
    sched = cfg.schedule
    start = "now" if sched.start == "now" else str(sched.start)
    end = f"{sched.end} after start" if sched.end is not None and not hasattr(sched.end, "year") else str(sched.end or "open-ended")
    slots = "; ".join(
        f"{','.join(s.days)} at {', '.join(t.strftime('%H:%M') for t in s.times)}" for s in sched.slots
    )
    auto = cfg.highlights.auto
    text = (
        f"Campaign '{cfg.campaign.name}' ({cfg.campaign.slug}, {cfg.campaign.language}) reads "
        f"{cfg.article.source}, picks up to {auto.count} highlights of {auto.min_length}-{auto.max_length} "
        f"characters (+{len(cfg.highlights.pinned)} pinned, {len(cfg.highlights.extra)} extra, "
        f"{len(cfg.highlights.exclude)} excluded), and posts each to {len(accounts)} account(s): "
        f"{', '.join(by_acct)}, with {len(cfg.posts.templates)} template(s), hashtags {tags or '(none)'}, "
        f"threads {'up to ' + str(cfg.posts.threads.max_parts) + ' parts' if cfg.posts.threads.allow else 'off'}. "
        f"Cards: theme '{cfg.cards.theme.base}', {cfg.cards.format}, sizes {', '.join(sizes)}. "
        f"Schedule in {cfg.zone} from {start} to {end}, slots {slots}, spacing {sched.spacing}, "
        f"stagger {sched.stagger}."
    )
    return {
        "name": cfg.campaign.name,
        "slug": cfg.campaign.slug,
        "article": cfg.article.source,
        "accounts": {n: a.platform for n, a in accounts.items()},
        "sizes": [s for s in (cfg.cards.sizes or []) if s in SIZE_PRESETS or "x" in s],
        "timezone": cfg.zone,
        "text": text,
    }
