"""`campaign run`: publish what is due, through each account's adapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from campaign.cli import cli
from campaign.cli.output import echo_json
from campaign.cli.queue import db_option, local, now_utc, open_db, preview, refuse_throwaway_db
from campaign.publish import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from campaign.models import Job

#: `campaign run --concurrency`: the most threads one process runs
MAX_CONCURRENCY = 256


@cli.command()
@click.option("--once", is_flag=True, help="Publish what is due now, then exit (default: keep running).")
@click.option("--dry-run", is_flag=True, help="List what is due now; claim and send nothing.")
@click.option("--config", "configs", multiple=True, type=click.Path(dir_okay=False),
              help="Queue this campaign first, like `campaign queue` (repeatable).")
@click.option("--now", "asap", is_flag=True, help="With --config: make its posts due now (see `campaign queue --now`).")
@click.option("--lease", default="5m", show_default=True,
              help="How long a claimed job is held before another worker may reconcile it (at least 3s).")
@click.option("--poll", default="5s", show_default=True,
              help="How often an idle worker looks for jobs queued by others.")
@click.option("--backoff", default="30s", show_default=True,
              help="First wait after a transient error; it doubles on each attempt (up to 1h).")
@click.option("--max-attempts", type=click.IntRange(1), default=8, show_default=True,
              help="Attempts before a post that keeps failing transiently is marked failed.")
@click.option("--concurrency", type=click.IntRange(1, MAX_CONCURRENCY), default=DEFAULT_CONCURRENCY,
              show_default=True, metavar="N",
              help="Posts in flight at once, each on its own thread, never two of one account (its posts "
                   "and a thread's parts stay in order; its rate limit holds). A post spends its time "
                   "waiting for the platform (0.3-1 s a call): 64 sends a slot of 1,000 posts over 200 "
                   "accounts in about 7 s at 300 ms a call, where one at a time takes 5 minutes. Lower it "
                   "if your server limits requests per address; 1 sends one post at a time.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@db_option()
def run(once: bool, dry_run: bool, configs: tuple[str, ...], asap: bool, lease: str, poll: str, backoff: str,
        max_attempts: int, concurrency: int, as_json: bool, db: str | None) -> None:
    """Publish due posts (claim, send, record), retrying transient errors with backoff.

    Without --once it sleeps until the next post is due and keeps going; Ctrl-C or
    SIGTERM finishes the posts in flight, gives back those not yet sent and exits
    cleanly. Several `campaign run` processes may share one queue: no post is ever
    sent twice, and rate limits hold across them.

    Up to --concurrency posts go out at once, each of another account; a platform
    that answers "too many requests" holds back only that account.

    When an account's server does not answer twice in a row (timeouts, refused
    connections), its other posts wait for the next run instead of each waiting
    out the timeout; they stay queued and no attempt is counted.

    \b
    Exit status with --once (for cron): 0 when no post failed in this run,
    1 when any post failed (see `campaign jobs --state failed`), 2 on a usage error.
    """
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    from campaign.config import load, parse_duration
    from campaign.pipeline import queue_campaign
    from campaign.publish.retry import RetryPolicy
    from campaign.publish.worker import run as run_worker
    from campaign.queue.store import next_due

    try:
        lease_td, poll_td, backoff_td = parse_duration(lease), parse_duration(poll), parse_duration(backoff)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    from campaign.queue import MIN_LEASE

    if lease_td < MIN_LEASE:
        click.echo(f"error: --lease {lease}: too short; give at least {MIN_LEASE.total_seconds():g}s "
                   "(a post in flight must not be taken over by another worker)", err=True)
        click.get_current_context().exit(2)
    if configs:
        refuse_throwaway_db(db)
    policy = RetryPolicy(max_attempts=max_attempts, base=backoff_td)
    store = open_db(db)
    for path in configs:
        queued, _ = queue_campaign(load(path), store, now=now_utc(), asap=asap)
        if not as_json:
            click.echo(queued.summary())

    folders: dict[str, None] = {}

    def show(kind: str, job: Job, detail: str) -> None:
        if kind in ("succeeded", "reconciled") and detail.startswith("file://"):
            folders[str(Path(unquote(urlsplit(detail).path)).parent.parent)] = None
        if as_json:
            return
        part = f" {job.part + 1}/{job.parts}" if job.parts > 1 else ""
        head = f"{kind:<10} #{job.id} {job.account}{part}"
        if kind == "due":
            click.echo(f"{head} {local(job.run_at, job.zone)}: {preview(job.draft.text)}")
        else:
            click.echo(f"{head} {detail}")

    report = run_worker(store, now=now_utc, once=once, dry_run=dry_run, lease=lease_td, poll=poll_td,
                        policy=policy, on_event=show, concurrency=concurrency)
    counts = store.counts()
    upcoming = next_due(store, limit=1)
    from campaign.review import review_counts

    review = review_counts(store, now=now_utc())
    summary = {
        "sent": report.succeeded, "reconciled": report.reconciled, "retrying": report.retried,
        "failed": report.failed, "refitted": report.refitted, "released": report.released,
        "stopped_by_signal": report.stopped, "deferred": report.deferred,
        "most_in_flight": report.most_in_flight,
        "due": len(report.due), "queue": counts, "folders": list(folders),
        "next_due": upcoming[0].run_at.isoformat() if upcoming else None, "review": review.as_dict(),
    }
    failed = once and not dry_run and report.failed > 0
    if as_json:
        echo_json(summary)
        if failed:
            click.get_current_context().exit(1)
        return
    if dry_run:
        click.echo(f"{len(report.due)} post(s) due now (dry run: nothing sent)")
        if review.line():
            click.echo(review.line())
        return
    line = (f"sent {report.succeeded}, found already posted {report.reconciled}, to retry {report.retried}, "
            f"failed {report.failed}")
    if report.refitted:
        line += f", re-fitted {report.refitted}"
    if upcoming:
        line += f"; next due {local(upcoming[0].run_at, upcoming[0].zone)}"
    click.echo(line + (" (stopped)" if report.stopped else ""))
    if review.line():  # held back, not failed: they go out once approved
        click.echo(review.line().replace("review: ", "waiting for review: ", 1))
    for account, why in report.deferred.items():
        click.echo(f"deferred to the next run: {account}'s posts ({why})")
    for folder in folders:
        click.echo(f"posts written to {folder}")
    if failed:
        click.echo(f"{report.failed} post(s) failed in this run: `campaign jobs --state failed` says why",
                   err=True)
        click.get_current_context().exit(1)
