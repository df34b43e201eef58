"""A one-paragraph, plain-words summary of what a campaign config will do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from campaign.config import CampaignConfig


def duration_text(d: timedelta) -> str:
    """`1d2h`, `3h`, `10m`, `45s`: durations as the YAML writes them."""
    seconds = int(d.total_seconds())
    if seconds == 0:
        return "0m"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out += f"{seconds // size}{unit}"
            seconds %= size
    return out


def summarize(cfg: CampaignConfig) -> dict[str, Any]:
    """What the campaign reads, picks, posts where, renders and when, as data and as text."""
    accounts = cfg.enabled_accounts()
    by_acct = [
        f"{name} ({a.platform}" + (f" as {a.simulate}" if a.simulate else "") + ")"
        for name, a in accounts.items()
    ]
    tags = " ".join("#" + h.tag + ("?" if h.optional else "") for h in cfg.posts.hashtags)
    from campaign.cards import sizes_for

    sizes = sizes_for([a.rules_platform for a in accounts.values()], cfg.cards.sizes)
    sched = cfg.schedule
    start = "now" if sched.start == "now" else f"{sched.start:%Y-%m-%d %H:%M}"
    if isinstance(sched.end, timedelta):
        end = f"{duration_text(sched.end)} later"
    else:
        end = f"{sched.end:%Y-%m-%d %H:%M}" if sched.end else "open-ended"
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
        f"Schedule in {cfg.zone} from {start} to {end}, slots {slots}, spacing "
        f"{duration_text(sched.spacing)}, stagger {duration_text(sched.stagger)}."
    )
    if cfg.review == "required":
        who = f" from {', '.join(cfg.reviewers)}" if cfg.reviewers else ""
        text += f" Review required: {cfg.approvals} approval(s){who} before a post goes out."
    else:
        text += " Review off: queued posts go out at their time."
    return {
        "name": cfg.campaign.name,
        "slug": cfg.campaign.slug,
        "article": cfg.article.source,
        "accounts": {n: a.platform for n, a in accounts.items()},
        "sizes": sizes,
        "timezone": cfg.zone,
        "review": {"mode": cfg.review, "approvals": cfg.approvals, "reviewers": list(cfg.reviewers)},
        "text": text,
    }
