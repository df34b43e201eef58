"""`campaign compose`: every draft with its per-platform length, thread parts and warnings."""

from __future__ import annotations

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json, is_terminal


@cli.command()
@config_argument()
@click.option("--platform", "platform", help="Only drafts for this platform (x, mastodon, bluesky, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON objects instead of text.")
def compose(config: str, platform: str | None, as_json: bool) -> None:
    """Compose the posts of CONFIG for each account, fitted to each platform's rules."""
    from campaign.config import load
    from campaign.pipeline import chosen_highlights
    from campaign.pipeline import targets as account_targets
    from campaign.posts.compose import compose as compose_drafts

    cfg = load(config)
    _, highlights = chosen_highlights(cfg)
    all_targets, notes = account_targets(cfg)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    targets = [t for t in all_targets if platform in (None, t.platform, t.account)]
    if platform and not targets:
        raise click.UsageError(f"no account posts to '{platform}' in {config}")
    drafts = compose_drafts(cfg, highlights, targets)
    if as_json:
        echo_json([
            {
                "highlight_id": d.highlight_id,
                "account": d.account,
                "platform": d.platform,
                "parts": list(d.parts),
                "length": list(d.lengths),
                "limit": d.limit,
                "link": d.link,
                "warnings": list(d.warnings),
            }
            for d in drafts
        ])
        return
    rule = "─" * 60
    for d in drafts:
        counts = ", ".join(f"{n}/{d.limit}" for n in d.lengths)
        head = f"{d.highlight_id}  {d.account} ({d.platform})  {counts}"
        click.secho(head, bold=True) if is_terminal() else click.echo(head)
        for i, part in enumerate(d.parts, 1):
            if len(d.parts) > 1:
                click.echo(f"  [part {i}/{len(d.parts)}]")
            click.echo("  " + part.replace("\n", "\n  "))
        for w in d.warnings:
            click.echo(f"  warning: {w}", err=True)
        click.echo(rule)
    warnings = sum(len(d.warnings) for d in drafts)
    click.echo(f"{len(drafts)} drafts for {len(highlights)} highlights, {warnings} warning(s)")
