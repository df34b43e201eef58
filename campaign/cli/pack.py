"""`campaign pack`: the volunteer pack, a static page that arms supporters' own accounts."""

from __future__ import annotations

import os
from pathlib import Path

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json, run_with_progress, show_library_warnings


@cli.command()
@config_argument()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the pack (default: pack/ in the campaign's output folder: the YAML's "
                   "`output:`, else campaign-out/<slug> beside the YAML).")
@click.option("--zip", "make_zip", is_flag=True,
              help="Also write <slug>-pack.zip of the whole site, for email or chat.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes rendering cards in parallel (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the paths and counts as JSON.")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="With `review: required`: the queue whose approvals say what the pack may show "
                   "(default: $CAMPAIGN_DB, else the user data folder's).")
def pack(config: str, out_dir: Path | None, make_zip: bool, jobs: int | None, as_json: bool,
         db: str | None) -> None:
    """Write the volunteer pack for CONFIG: one page with every post for X, Mastodon and
    Bluesky (copy and share buttons), every card with its alt text, the hashtags, the
    handles to tag and when to post. It works offline, from a folder or any static host.

    Prints the path of index.html (and of the zip with --zip). With `review: required`,
    only the highlights whose queued posts are all approved are in it.
    """
    import tempfile

    from campaign.config import load
    from campaign.pack import pack_drafts, pack_platforms, pack_zip_path, posting_window, write_pack
    from campaign.pipeline import build, default_out_dir
    from campaign.review.pack import approved_from_queue

    cfg = load(config)
    show_library_warnings()
    n = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="campaign-pack-") as tmp:
        # With -o the pack is all there is: render the cards into a scratch folder and copy
        # them in. Otherwise they stay in the usual build folder beside the pack.
        work = Path(tmp) if out_dir else default_out_dir(cfg)
        target = out_dir or default_out_dir(cfg) / "pack"
        result = run_with_progress(
            lambda progress: build(cfg, out_dir=work, cards=True, jobs=n, progress=progress),
            quiet=as_json,
        )
        drafts = pack_drafts(cfg, result.highlights, result.cards)
        approved = approved_from_queue(db, cfg.campaign.slug) if cfg.review == "required" else None
        index = write_pack(cfg, result.highlights, drafts, result.cards, target,
                           window=posting_window(cfg), zip=make_zip, approved=approved)
    held = [h.id for h in result.highlights if approved is not None and h.id not in approved]
    archive = pack_zip_path(target, cfg.campaign.slug) if make_zip else None
    warnings = [f"{d.platform}: {w}" for d in drafts for w in d.warnings]
    if as_json:
        echo_json({
            "index": str(index),
            "zip": str(archive) if archive else None,
            "posts": len(result.highlights),
            "drafts": len(drafts),
            "cards": len(result.cards),
            "warnings": warnings,
            "held_for_review": held,
        })
        return
    for w in dict.fromkeys(warnings):
        click.echo(f"warning: {w}", err=True)
    posts, platforms_n = len(result.highlights) - len(held), len(pack_platforms())
    images = sum(c.highlight_id not in held for c in result.cards)
    click.echo(f"pack: {_n(posts, 'post')} × {_n(platforms_n, 'platform')}, {_n(images, 'image')}", err=True)
    if held:
        click.echo(f"pack: {len(held)} of {len(result.highlights)} highlights left out: not approved yet "
                   "(review: required; `campaign pending`, `campaign review`)", err=True)
    click.echo(str(index))
    if archive:
        click.echo(str(archive))


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")
