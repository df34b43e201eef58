"""`campaign queue CONFIG` and the queue's inspection commands: status, jobs, log, cancel, retry, reschedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json, table

if TYPE_CHECKING:
    from collections.abc import Callable

    from campaign.cli.output import FC
    from campaign.models import Job
    from campaign.queue import Store


def db_option() -> Callable[[FC], FC]:
    return click.option(
        "--db", type=click.Path(dir_okay=False), default=None, metavar="FILE|URL",
        help="Queue database: a SQLite file, or a postgresql://user@host/db URL to share one queue between "
             "machines (default: $CAMPAIGN_DB, else queue.sqlite3 in the user data folder).",
    )


def throwaway_db(db: str | None) -> str | None:
    """Why the database `db` (else $CAMPAIGN_DB) would lose what is queued in it; None when it
    is a real file: `:memory:`, an empty path, an SQLite URI in memory (`file::memory:`,
    `mode=memory`)."""
    import os

    value = db if db is not None else os.environ.get("CAMPAIGN_DB")
    if value is None:
        return None
    where = "--db" if db is not None else "CAMPAIGN_DB"
    text = value.strip()
    if not text:
        return f"{where} is empty: give the path of the queue database file"
    lowered = text.lower()
    if lowered == ":memory:" or (lowered.startswith("file:") and (":memory:" in lowered or "mode=memory" in lowered)):
        return f"{where} {value!r} is an in-memory database: everything queued would be lost when this " \
               "command exits; give the path of a file"
    return None


def refuse_throwaway_db(db: str | None) -> None:
    """Exit 2 with one line when `db` is a throw-away database (see `throwaway_db`)."""
    why = throwaway_db(db)
    if why is not None:
        click.echo(f"error: {why}", err=True)
        click.get_current_context().exit(2)


def open_db(db: str | None) -> Store:
    """The queue store, or a one-line QueueError naming the database that cannot be opened."""
    from campaign.queue import open_store

    return open_store(db)


def now_utc() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


def local(dt: datetime | None, zone: str) -> str:
    """`Mon 2026-03-30 09:00 CEST` in the job's zone."""
    if dt is None:
        return ""
    from zoneinfo import ZoneInfo

    return dt.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def job_dict(job: Job) -> dict[str, Any]:
    from campaign.redact import redact_opt

    return {
        "id": job.id, "campaign": job.campaign, "account": job.account, "platform": job.platform,
        "highlight_id": job.highlight_id, "part": job.part, "parts": job.parts, "status": job.status,
        "run_at": job.run_at.isoformat(), "local_time": local(job.run_at, job.zone), "zone": job.zone,
        "attempts": job.attempts, "last_error": redact_opt(job.last_error), "remote_id": job.remote_id,
        "remote_url": job.remote_url, "text": job.draft.text, "media": [m.path for m in job.draft.media],
        "idempotency_key": job.idempotency_key, "dedupe_key": job.dedupe_key,
    }


def _part(job: Job) -> str:
    return f"{job.part + 1}/{job.parts}" if job.parts > 1 else ""


def id_list(ids: list[int], most: int = 12) -> str:
    """`#3 #4 #7`, and how many more past `most`."""
    shown = " ".join(f"#{i}" for i in ids[:most])
    return shown + (f" (+{len(ids) - most} more)" if len(ids) > most else "")


def several_campaigns(store: Store, campaign_slug: str | None) -> bool:
    """True when listings should name each job's campaign: the queue holds several, none chosen."""
    return campaign_slug is None and len(store.campaigns()) > 1


def local_details(text: str, zone: str) -> str:
    """An event detail with the UTC times the store wrote in it told in `zone`, as elsewhere."""
    import re

    def swap(m: re.Match[str]) -> str:
        try:
            return local(datetime.fromisoformat(m.group(0)), zone)
        except ValueError:
            return m.group(0)

    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z", swap, text)


def thread_lines(store: Store, job: Job) -> list[str]:
    """The queued parts of `job`'s thread, in order, one line each (empty for a single post)."""
    if job.parts <= 1:
        return []
    from campaign.queue.threads import send_order

    parts = send_order(j for j in store.jobs(status="todo", campaign=job.campaign)
                       if (j.account, j.highlight_id) == (job.account, job.highlight_id))
    return [f"  #{j.id} {_part(j)} {local(j.run_at, j.zone)}" for j in parts]


@cli.command("queue")
@config_argument()
@db_option()
@click.option("--now", "asap", is_flag=True,
              help="Make every post due now, in plan order (try a campaign end to end on the outbox).")
@click.option("--replan", is_flag=True,
              help="Put the posts you rescheduled, retried or cancelled by hand back on the plan "
                   "(by default a re-queue keeps them as you left them).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the campaign's files: cards, the outbox (default: the YAML's `output:`, "
                   "else campaign-out/<slug> beside the YAML).")
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
def queue_cmd(config: str, db: str | None, asap: bool, replan: bool, out_dir: Path | None, as_json: bool) -> None:
    """Build CONFIG's campaign (drafts, cards), plan it and queue it for `campaign run`.

    Queueing the same config again adds nothing twice; an edited draft that has not
    gone out is updated; one that went out is left alone and reported. A post you
    rescheduled, retried or cancelled by hand stays as you left it (its draft still
    follows your edits) unless --replan. It prints what it changed and kept, and why.
    """
    from campaign.config import load
    from campaign.pipeline import queue_campaign

    refuse_throwaway_db(db)
    cfg = load(config)
    store = open_db(db)
    report, planned = queue_campaign(cfg, store, now=now_utc(), asap=asap, out_dir=out_dir, replan=replan)
    if as_json:
        echo_json({"campaign": report.campaign, "counts": report.counts(), "database": str(getattr(store, "path", "")),
                   "replan": replan, "late": list(report.late),
                   "items": [{"job": i.job_id, "dedupe_key": i.dedupe_key, "outcome": i.outcome,
                              "status": i.status, "reason": i.reason} for i in report.items]})
        return
    click.echo(report.summary())
    for outcome, reason, ids in report.reasons():
        click.echo(f"  {outcome} {id_list(ids)}: {reason}")
    notes = sorted({n for p in planned for n in p.notes})
    for n in notes:
        click.echo(f"  note: {n}")
    click.echo(f"queue: {getattr(store, 'path', None) or store}")  # a file, or a PostgreSQL URL (no password)
    from campaign.review import review_counts

    review = review_counts(store, now=now_utc(), campaign=report.campaign)
    if review.pending or review.rejected:  # review: required; nothing goes out unapproved
        click.echo(review.line())
        click.echo("next: `campaign review` (or `campaign pending` and `campaign approve`), then `campaign run`")
        return
    click.echo("next: `campaign status`, then `campaign run` (or `campaign run --once`)")


@cli.command()
@db_option()
@click.option("--campaign", "campaign_slug", default=None, help="Only this campaign (its slug).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def status(db: str | None, campaign_slug: str | None, as_json: bool) -> None:
    """Counts of jobs per state and the next posts due (a thread's part once its previous
    part has gone out)."""
    from campaign.queue.store import next_due
    from campaign.review import review_counts

    store = open_db(db)
    counts = store.counts(campaign=campaign_slug)
    upcoming = next_due(store, campaign=campaign_slug, limit=5)
    review = review_counts(store, now=now_utc(), campaign=campaign_slug)
    if as_json:
        echo_json({"counts": counts, "review": review.as_dict(), "next": [job_dict(j) for j in upcoming]})
        return
    click.echo("  ".join(f"{k}: {v}" for k, v in counts.items()))
    if review.line():
        click.echo(review.line())
    if upcoming:
        named = several_campaigns(store, campaign_slug)
        table("next due", ["id", "when"] + ["campaign"] * named + ["account", "part", "post"],
              [[j.id, local(j.run_at, j.zone)] + [j.campaign] * named
               + [j.account, _part(j), preview(j.draft.text)] for j in upcoming])
    else:
        click.echo("nothing waiting")


@cli.command()
@db_option()
@click.option("--state", type=click.Choice(["todo", "doing", "succeeded", "failed", "cancelled"]),
              default=None, help="Only jobs in this state.")
@click.option("--campaign", "campaign_slug", default=None, help="Only this campaign (its slug).")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many jobs.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def jobs(db: str | None, state: str | None, campaign_slug: str | None, limit: int | None, as_json: bool) -> None:
    """A table of jobs in the order they go out (a thread's parts in order): when, campaign
    (when the queue holds several), account, state, attempts, post, remote URL or last error."""
    from campaign.queue.threads import send_order
    from campaign.redact import redact
    from campaign.review import review_counts, review_states

    store = open_db(db)
    rows = send_order(store.jobs(status=state, campaign=campaign_slug, limit=limit))
    held = review_states(store, campaign=campaign_slug)  # todo, but waiting for review / rejected
    if as_json:
        echo_json([{**job_dict(j), "review": held.get(j.id)} for j in rows])
        return
    named = several_campaigns(store, campaign_slug)
    table(None, ["id", "when"] + ["campaign"] * named + ["account", "part", "state", "tries", "post", "result"],
          [[j.id, local(j.run_at, j.zone)] + [j.campaign] * named
           + [j.account, _part(j), held.get(j.id, j.status), j.attempts, preview(j.draft.text, 40),
              j.remote_url or j.remote_id or redact(j.last_error or "")] for j in rows])
    review = review_counts(store, now=now_utc(), campaign=campaign_slug)
    if review.line():
        click.echo(review.line())


@cli.command()
@click.argument("job", type=int)
@db_option()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def log(job: int, db: str | None, as_json: bool) -> None:
    """The events of JOB, oldest first, times in the campaign's zone."""
    from campaign.redact import redact_opt

    store = open_db(db)
    j = store.get(job)
    events = store.events(job)
    if as_json:
        echo_json({"job": job_dict(j), "events": [
            {"at": e.at.isoformat(), "kind": e.kind, "attempt": e.attempt, "owner": e.owner,
             "detail": redact_opt(e.detail)}
            for e in events]})
        return
    from campaign.review import review_states

    state = j.status + {"review": ", waiting for review", "rejected": ", rejected"}.get(
        review_states(store, campaign=j.campaign).get(j.id, ""), "")
    click.echo(f"#{j.id} {j.dedupe_key} [{state}] key {j.idempotency_key}: {preview(j.draft.text)}")
    for e in events:
        click.echo(f"  {local(e.at, j.zone)}  {e.kind:<13} try {e.attempt}"
                   + (f"  {local_details(redact_opt(e.detail) or '', j.zone)}" if e.detail else "")
                   + (f"  ({e.owner})" if e.owner else ""))


@cli.command()
@click.argument("job", type=int, required=False)
@click.option("--campaign", "campaign_slug", default=None, help="Cancel every queued job of this campaign.")
@db_option()
def cancel(job: int | None, campaign_slug: str | None, db: str | None) -> None:
    """Cancel JOB (with every queued part of its thread), or every queued job of --campaign."""
    if (job is None) == (campaign_slug is None):
        raise click.UsageError("give a JOB id or --campaign SLUG")
    store = open_db(db)
    if campaign_slug is not None and store.campaign(campaign_slug) is None:
        from campaign.errors import QueueError

        known = ", ".join(c.slug for c in store.campaigns()) or "none"
        raise QueueError(f"no campaign '{campaign_slug}' in the queue (queued: {known})")
    if job is not None:
        from campaign.queue.store import thread_head

        job = thread_head(store, job)
    ids = store.cancel(now=now_utc(), job_id=job, campaign=campaign_slug)
    click.echo(f"cancelled {len(ids)} job(s)" + (f": {', '.join('#' + str(i) for i in ids)}" if ids else ""))


@cli.command()
@click.argument("job", type=int, required=False)
@click.option("--failed", "all_failed", is_flag=True,
              help="Every failed job (narrow with --campaign / --account), e.g. after fixing credentials.")
@click.option("--campaign", "campaign_slug", default=None, help="With --failed: only this campaign.")
@click.option("--account", default=None, help="With --failed: only this account.")
@db_option()
def retry(job: int | None, all_failed: bool, campaign_slug: str | None, account: str | None,
          db: str | None) -> None:
    """Queue a failed (or cancelled) JOB again, now, with a fresh count of attempts; or --failed."""
    if (job is None) == (not all_failed):
        raise click.UsageError("give a JOB id or --failed")
    if not all_failed and (campaign_slug or account):
        raise click.UsageError("--campaign and --account go with --failed")
    store = open_db(db)
    if all_failed:
        from campaign.queue import retry_failed

        jobs = retry_failed(store, now=now_utc(), campaign=campaign_slug, account=account)
        click.echo(f"queued {len(jobs)} failed job(s) again" +
                   (f": {', '.join('#' + str(j.id) for j in jobs)}" if jobs else ""))
        return
    assert job is not None
    j = store.retry(job, now=now_utc())
    lines = thread_lines(store, j)
    click.echo(f"#{j.id} queued again for {local(j.run_at, j.zone)}"
               + (", with its thread, in order:" if len(lines) > 1 else ""))
    for line in lines if len(lines) > 1 else []:
        click.echo(line)


def parse_when(text: str, zone: str, now: datetime) -> datetime:
    """`2026-12-01 09:00` (local to `zone`), an ISO time with offset, `now`, or `+2h`."""
    from campaign.config import parse_duration, parse_local_datetime
    from campaign.errors import QueueError
    from campaign.plan import resolve_local

    text = text.strip()
    try:
        if text == "now":
            return now
        if text.startswith("+"):
            return now + parse_duration(text[1:])
        value = parse_local_datetime(text)
    except ValueError as e:
        raise QueueError(f"--at: {e}; or use `now` or +DURATION such as +2h") from None
    if value.tzinfo is not None:
        return value
    from zoneinfo import ZoneInfo

    return resolve_local(value, ZoneInfo(zone))[0]


@cli.command()
@click.argument("job", type=int)
@click.option("--at", "at", required=True, help="New time: '2026-12-01 09:00' (campaign zone), ISO with offset, now, +2h.")
@db_option()
def reschedule(job: int, at: str, db: str | None) -> None:
    """Move a queued JOB to another time, with its whole thread: the thread's first queued
    part goes at the new time and the others follow it in order, as planned.

    A time in the past is accepted (the post goes out at the next `campaign run`), with a warning.
    """
    store = open_db(db)
    now = now_utc()
    zone = store.get(job).zone
    when = parse_when(at, zone, now)
    j = store.reschedule(job, at=when, now=now)
    from campaign.review import review_states

    held = review_states(store, campaign=j.campaign).get(j.id)  # moving a post does not approve it
    if when < now - PAST_SLACK:
        click.echo(f"warning: {local(when, zone)} is in the past: the post goes out at the next "
                   "`campaign run`" + (" once approved" if held else ""), err=True)
    lines = thread_lines(store, j)
    if len(lines) > 1:
        click.echo(f"#{j.id} moved with its thread, in order:")
        for line in lines:
            click.echo(line)
    else:
        click.echo(f"#{j.id} now due {local(j.run_at, j.zone)}")
    if held == "review":
        click.echo(f"note: #{j.id} waits for review: it goes out once approved (`campaign approve {j.id}`)")
    elif held == "rejected":
        click.echo(f"note: #{j.id} is rejected: it stays out until approved (`campaign approve {j.id}`), "
                   "or edited and queued again")


#: how far in the past `reschedule --at` may be before it warns (`now` typed a moment ago)
PAST_SLACK = timedelta(minutes=1)


@cli.command()
@db_option()
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Also scrub each line of standard input (e.g. an old password no longer in the secrets file).")
@click.option("--json", "as_json", is_flag=True, help="Print the jobs scrubbed as JSON.")
def scrub(db: str | None, from_stdin: bool, as_json: bool) -> None:
    """Remove secrets that already reached the queue's history.

    Every job's last error and every event detail is rewritten through redaction,
    with the secrets known now: the secrets file's values, the credential variables
    (CAMPAIGN_<ACCOUNT>_APP_PASSWORD, _ACCESS_TOKEN, ...) and, with --stdin, each line
    read from standard input. Events are otherwise append-only; a scrub is the one
    rewrite, and each job changed gets a "scrubbed" event saying so.
    """
    import sys

    from campaign.publish.credentials import register_known

    extra = [line.strip() for line in sys.stdin.read().splitlines()] if from_stdin else []
    known = register_known(extra)
    store = open_db(db)
    ids = store.scrub(now=now_utc())
    if as_json:
        echo_json({"secrets": known, "scrubbed": ids})
        return
    if not known:
        click.echo("no secret known: set the credential variables, keep the secrets file, or pass --stdin")
    if ids:
        click.echo(f"scrubbed {len(ids)} job(s): " + ", ".join(f"#{i}" for i in ids))
    else:
        click.echo("nothing to scrub: no stored error or event holds a known secret")
