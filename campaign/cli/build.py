"""`campaign build`: the whole chain for one config, into one folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json, run_with_progress, show_library_warnings


@cli.command("build")
@config_argument()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for everything (default: the YAML's `output:`, else campaign-out/<slug> "
                   "beside the YAML).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes rendering cards in parallel (default: all cores).")
@click.option("--publish/--no-publish", default=True, show_default=True,
              help="When every account is an outbox: queue the posts due now and publish them.")
@click.option("--zip", "make_zip", is_flag=True, help="Also zip the volunteer pack.")
@click.option("--json", "as_json", is_flag=True, help="Print what was made as JSON.")
def build_cmd(config: str, out_dir: Path | None, jobs: int | None, publish: bool, make_zip: bool,
              as_json: bool) -> None:
    """Run the whole campaign: highlights, posts, quote cards, the volunteer pack and,
    for a campaign on the outbox only, a queue published right away.

    A campaign with real accounts is never published from here: queue it with
    `campaign queue CONFIG` and publish it with `campaign run`.
    """
    from campaign.config import load
    from campaign.pack import pack_drafts, pack_zip_path, posting_window, write_pack
    from campaign.pipeline import any_real_account, build, default_out_dir, publish_to_outbox

    cfg = load(config)
    show_library_warnings()
    out = (out_dir or default_out_dir(cfg)).resolve()
    n = jobs or os.cpu_count() or 1
    built = run_with_progress(
        lambda progress: build(cfg, out_dir=out, cards=True, jobs=n, progress=progress), quiet=as_json
    )
    from campaign.review.pack import approved_from_queue

    reviewed = cfg.review == "required"  # the pack shows what the queue ($CAMPAIGN_DB) approved
    index = write_pack(cfg, built.highlights, pack_drafts(cfg, built.highlights, built.cards), built.cards, out / "pack",
                       window=posting_window(cfg), zip=make_zip,
                       approved=approved_from_queue(None, cfg.campaign.slug) if reviewed else None)
    result: dict[str, Any] = {
        "highlights": len(built.highlights),
        "drafts": len(built.drafts),
        "thread_parts": sum(len(d.parts) for d in built.drafts),
        "cards": len(built.cards),
        "cards_dir": str(out / "cards"),
        "contact_sheet": str(out / "cards" / "contact-sheet.png") if built.cards else None,
        "pack": str(index),
        "zip": str(pack_zip_path(out / "pack", cfg.campaign.slug)) if make_zip else None,
        "warnings": built.warnings + built.notes + nothing_found(cfg, built.highlights),
    }
    outbox_only = not any_real_account(cfg)
    if publish and outbox_only and not reviewed:
        result.update(publish_to_outbox(cfg, built, out))
    elif not outbox_only or reviewed:
        result["next"] = (f"campaign queue {config} && campaign review && campaign run" if reviewed
                          else f"campaign queue {config} && campaign run")
    unpublished = result.get("failed", 0) + result.get("not_sent", 0)
    if as_json:
        echo_json(result)
        if unpublished:
            raise click.exceptions.Exit(1)
        return
    for w in result["warnings"]:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"highlights: {result['highlights']}  posts: {result['drafts']} "
               f"({result['thread_parts']} parts)  cards: {result['cards']}")
    click.echo(f"cards:      {result['cards_dir']}")
    if result["contact_sheet"]:
        click.echo(f"review:     {result['contact_sheet']}")
    click.echo(f"pack:       {result['pack']}")
    if result["zip"]:
        click.echo(f"zip:        {result['zip']}")
    if "outbox" in result:
        click.echo(f"published:  {result['sent']} sent, {result['failed']} failed"
                   + (f", {result['not_sent']} not sent" if result.get("not_sent") else "")
                   + f" -> {result['outbox']}")
        click.echo(f"queue:      {result['queue']}  (campaign jobs --db {result['queue']})")
        if unpublished:
            click.echo(f"error: {unpublished} post(s) not published to the outbox; "
                       f"see why with: campaign jobs --db {result['queue']}", err=True)
            raise click.exceptions.Exit(1)
    elif "next" in result:
        click.echo(f"next:       {result['next']}")


def nothing_found(cfg: Any, highlights: list[Any]) -> list[str]:
    """A warning when the article yielded no highlight at all (so nothing will be posted)."""
    if highlights:
        return []
    return [f"no highlights found in {cfg.article.source}: nothing to post; check the article, "
            "lower highlights.auto.min_length, or add highlights.extra quotes"]
