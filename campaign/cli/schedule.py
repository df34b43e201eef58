"""`campaign plan CONFIG`: the calendar of posts, before anything is queued."""

from __future__ import annotations

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json, table


@cli.command("plan")
@config_argument()
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (UTC and local times).")
def plan_cmd(config: str, as_json: bool) -> None:
    """Show when each post of CONFIG would go out: local time, account, post, DST notes.

    `start: now` is taken as now; `campaign queue` anchors it the first time a
    campaign is queued, so re-queueing does not move posts.
    """
    from campaign.cli.queue import local, now_utc, preview
    from campaign.config import load
    from campaign.pipeline import build
    from campaign.plan import plan

    cfg = load(config)
    built = build(cfg, cards=False)
    posts = plan(list(built.drafts), cfg.schedule, cfg.zone, list(cfg.enabled_accounts()), now=now_utc())
    if as_json:
        echo_json([{
            "at": p.at.isoformat(), "local_time": local(p.at, p.zone), "zone": p.zone,
            "account": p.draft.account, "platform": p.draft.platform, "highlight_id": p.draft.highlight_id,
            "part": p.part, "parts": len(p.draft.parts), "text": p.draft.parts[p.part], "notes": list(p.notes),
        } for p in posts])
        return
    table(f"{cfg.campaign.name}: {len(posts)} posts ({cfg.zone})",
          ["when", "account", "part", "post", "notes"],
          [[local(p.at, p.zone), p.draft.account,
            f"{p.part + 1}/{len(p.draft.parts)}" if len(p.draft.parts) > 1 else "",
            preview(p.draft.parts[p.part], 50), "; ".join(p.notes)] for p in posts])
