"""`campaign approve`, `reject`, `pending` and `review`: sign off queued posts before they go out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from campaign.cli import cli
from campaign.cli.output import echo_json, table
from campaign.cli.queue import db_option, local, now_utc, open_db, preview

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from campaign.cli.output import FC
    from campaign.queue.review import Approval
    from campaign.review import Post


def as_option() -> Callable[[FC], FC]:
    return click.option("--as", "reviewer", default=None, metavar="NAME",
                        help="Who is reviewing (default: $CAMPAIGN_REVIEWER, else your user name).")


def post_dict(post: Post, now: datetime, rejected: tuple[str, str] | None = None) -> dict[str, Any]:
    ctx = post.context
    first = post.first
    return {
        "id": post.id, "jobs": [j.id for j in post.jobs], "campaign": first.campaign, "account": first.account,
        "platform": first.platform, "highlight_id": first.highlight_id, "review": first.review,
        "approvals": list(first.approvals), "needed": post.needed, "run_at": first.run_at.isoformat(),
        "local_time": local(first.run_at, first.zone), "overdue": post.overdue(now), "parts": list(post.parts),
        "lengths": [j.draft.lengths[0] for j in post.jobs], "limit": first.draft.limit,
        "media": [{"path": m.path, "alt": m.alt} for m in first.draft.media],
        "speaker": ctx.speaker if ctx else None, "speaker_uncertain": post.uncertain,
        "evidence": ctx.evidence if ctx else None, "sentence": ctx.sentence if ctx else None,
        "changed": [{"approved": a, "now": b} for a, b in post.changes()],
        "rejection": {"by": rejected[0], "note": rejected[1]} if rejected else None,
    }


@cli.command()
@click.argument("ids", type=int, nargs=-1)
@click.option("--campaign", "campaign_slug", default=None, help="Every pending post of this campaign (its slug).")
@click.option("--account", default=None, help="With --campaign or --all: only this account's posts.")
@click.option("--all", "all_posts", is_flag=True, help="Every pending post (of every campaign unless --campaign).")
@click.option("--now", "asap", is_flag=True, help="Publish the approved posts now instead of at their slot.")
@as_option()
@click.option("--note", default=None, help="A note kept with the approval.")
@db_option()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def approve(ids: tuple[int, ...], campaign_slug: str | None, account: str | None, all_posts: bool, asap: bool,
            reviewer: str | None, note: str | None, db: str | None, as_json: bool) -> None:
    """Approve posts by job id (any part of a thread approves the thread), or in bulk with
    --campaign / --all. A post whose slot passed goes out at the next slot (now with --now).

    A post whose speaker is uncertain is never approved in bulk: approve it by its id,
    after reading its source (`campaign pending` shows it). Exit status 1 when a post
    was left unapproved.
    """
    from campaign.review import approve_bulk, approve_each, reviewer_identity

    bulk = bool(campaign_slug or all_posts)
    if bool(ids) == bulk:
        raise click.UsageError("give job IDs, or --campaign SLUG / --all")
    if account and not bulk:
        raise click.UsageError("--account goes with --campaign or --all")
    store = open_db(db)
    name, now = reviewer_identity(reviewer), now_utc()
    done: list[Approval]
    refused: list[tuple[int, str]]
    if ids:  # each id on its own: a bad one is reported beside the others, which are still approved
        done, refused = approve_each(store, ids, reviewer=name, now=now, note=note, asap=asap)
    else:
        result = approve_bulk(store, reviewer=name, now=now, campaign=campaign_slug, account=account,
                              note=note, asap=asap)
        done, refused = result.approved, [(p.id, why) for p, why in result.refused]
    if as_json:
        echo_json({"reviewer": name, "approved": [
            {"id": a.job.id, "state": a.state, "approvals": list(a.approvals), "needed": a.needed,
             "run_at": a.job.run_at.isoformat(), "moved_from": a.moved_from.isoformat() if a.moved_from else None}
            for a in done], "refused": [{"id": job_id, "reason": why} for job_id, why in refused]})
    else:
        for a in done:
            j = a.job
            what = "approved" if a.state == "approved" else f"approval {len(a.approvals)} of {a.needed} recorded"
            moved = f" (moved from {local(a.moved_from, j.zone)})" if a.moved_from else ""
            click.echo(f"#{j.id} {j.account} {what} by {name}; goes out {local(j.run_at, j.zone)}{moved}")
        for _id, why in refused:
            click.echo(f"not approved: {why}", err=True)
        if not done and not refused:
            click.echo("nothing waits for review")
    if refused:
        click.get_current_context().exit(1)


@cli.command()
@click.argument("job", type=int)
@click.option("--note", required=True, help="Why (required: the author needs to know).")
@as_option()
@db_option()
def reject(job: int, note: str, reviewer: str | None, db: str | None) -> None:
    """Reject the post JOB belongs to (every part of its thread): it stays out of `run` and
    the volunteer pack until it is edited and queued again, or approved."""
    from campaign.review import reject_post, reviewer_identity

    name = reviewer_identity(reviewer)
    j = reject_post(open_db(db), job, reviewer=name, note=note, now=now_utc())
    click.echo(f"#{j.id} {j.account} rejected by {name}: {' '.join(note.split())}")


@cli.command()
@db_option()
@click.option("--campaign", "campaign_slug", default=None, help="Only this campaign (its slug).")
@click.option("--rejected", is_flag=True, help="List the rejected posts instead.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (with each post's text, source and evidence).")
def pending(db: str | None, campaign_slug: str | None, rejected: bool, as_json: bool) -> None:
    """Posts waiting for review, in the order they are due; `!` marks an uncertain speaker
    (approve those one by one), `late` a post whose time has come."""
    from campaign.queue.store import check_scope
    from campaign.review import pending_posts, rejection

    store = open_db(db)
    now = now_utc()
    check_scope(store, campaign=campaign_slug)
    posts = pending_posts(store, campaign=campaign_slug, rejected=rejected)
    why = {p.id: rejection(store, p) for p in posts} if rejected else {}
    if as_json:
        echo_json([post_dict(p, now, why.get(p.id)) for p in posts])
        return
    if not posts:
        click.echo("no post is rejected" if rejected else "nothing waits for review")
        return
    rows = []
    for p in posts:
        j = p.first
        flags = ("!" if p.uncertain else "") + (" late" if p.overdue(now) else "") + (" edited" if p.changes() else "")
        parts = f" ({len(p.jobs)} parts)" if len(p.jobs) > 1 else ""
        rows.append([p.id, local(j.run_at, j.zone), j.account, f"{len(j.approvals)}/{p.needed}", flags.strip(),
                     preview(j.draft.text, 44) + parts] + ([": ".join(why[p.id] or ())] if rejected else []))
    table("rejected" if rejected else "waiting for review",
          ["id", "when", "account", "ok", "flags", "post"] + (["why"] if rejected else []), rows)
    uncertain = [p for p in posts if p.uncertain]
    for p in uncertain:
        ctx = p.context
        assert ctx is not None
        click.echo(f"! #{p.id}: speaker '{ctx.speaker}' is uncertain ({ctx.evidence}); source: "
                   f"{preview(ctx.sentence, 120)}")


@cli.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@db_option()
@click.option("--campaign", "campaign_slug", default=None, help="Only this campaign (its slug).")
@as_option()
def review(config: str | None, db: str | None, campaign_slug: str | None, reviewer: str | None) -> None:
    """Review the pending posts one by one in a full-screen terminal view, in schedule order:
    each post as it will look (text, length/limit, thread parts), its card and alt text, the
    quote's source sentence and its speaker's evidence.

    \b
    Keys: a approve, r reject (with a note), s skip, o open the card image
    ($CAMPAIGN_OPENER, else xdg-open), e edit the text in $EDITOR (kept when the
    campaign is queued again), q quit. With CONFIG, only that campaign's posts.
    """
    import sys

    from campaign.review import pending_posts, reviewer_identity

    store = open_db(db)
    if campaign_slug:
        from campaign.queue.store import check_scope

        check_scope(store, campaign=campaign_slug)
    if config:
        from campaign.config import load

        campaign_slug = campaign_slug or load(config).campaign.slug
    if not pending_posts(store, campaign=campaign_slug):
        click.echo("nothing waits for review")
        return
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise click.UsageError("`campaign review` needs a terminal; use `campaign pending` and `campaign approve`")
    from campaign.review.tui import run_review

    summary = run_review(store, reviewer=reviewer_identity(reviewer), campaign=campaign_slug)
    click.echo(summary)
