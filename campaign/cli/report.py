"""`campaign report`: which quotes travelled, and where (engagement per highlight, platform, account)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from campaign.cli import cli
from campaign.cli.output import console, echo_json, is_terminal, run_with_progress, table
from campaign.cli.queue import db_option, now_utc, open_db

if TYPE_CHECKING:
    from campaign.queue import Store
    from campaign.report import Figures, Report


def _figures(f: Figures) -> list[Any]:
    return [f.posts, f"{f.likes:,}", f"{f.reposts:,}", f"{f.replies:,}", f"{f.quotes:,}", f"{f.engagement:,}"]


def _open(config: str | None, slug: str | None, db: str | None) -> tuple[Store, str]:
    """The store and the campaign's slug, from CONFIG or --campaign (see `report`)."""
    from campaign.errors import QueueError

    if config:
        from campaign.config import load
        from campaign.pipeline import any_real_account, default_out_dir

        cfg = load(config)
        slug = cfg.campaign.slug
        if db is None and not os.environ.get("CAMPAIGN_DB") and not any_real_account(cfg):
            built = default_out_dir(cfg) / "queue.sqlite3"  # where `campaign build` queued it
            if built.is_file():
                db = str(built)
    store = open_db(db)
    where = getattr(store, "path", None) or db or "the queue database"
    if slug is None:
        known = [c.slug for c in store.campaigns()]
        if len(known) != 1:
            raise QueueError(f"{where} holds {len(known)} campaigns ({', '.join(known) or 'none'}): "
                             "name one with --campaign SLUG or give its CONFIG")
        slug = known[0]
    record = store.campaign(slug)
    if record is None:
        raise QueueError(f"campaign '{slug}' is not in {where}: queue it with `campaign queue CONFIG` "
                         "(an outbox campaign: `campaign build CONFIG`), or give --db")
    return store, slug


@cli.command("report")
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--campaign", "campaign_slug", default=None, help="The campaign's slug (instead of CONFIG).")
@db_option()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write one row per post as CSV to FILE ('-': standard output).")
@click.option("--chart", "chart_out", type=click.Path(dir_okay=False), default=None,
              help="Draw engagement per quote and platform, and its growth, to FILE.png (1600×900).")
@click.option("--refresh", is_flag=True,
              help="Read every post again, also those read in the last 15 minutes or found deleted.")
@click.option("--no-fetch", is_flag=True, help="Ask no platform: report the figures already stored.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="How many top posts to list.")
def report_cmd(config: str | None, campaign_slug: str | None, db: str | None, as_json: bool, csv_out: str | None,
               chart_out: str | None, refresh: bool, no_fetch: bool, top: int) -> None:
    """Engagement of a campaign's published posts: totals, per quote (across platforms), per
    platform and account, and the top posts with their URLs.

    Fresh figures are read from each platform (posts read in the last 15 minutes are not
    asked again unless --refresh) and stored, so the chart can show growth. A post deleted on
    its platform is reported as gone, with the figures last seen. A platform that cannot be
    read is named on stderr and the rest of the report still prints; the exit status is 1
    only when there were posts to read and none could be. Figures of outbox accounts are
    simulated, and every output says so.

    CONFIG names the campaign (an outbox campaign is read from the queue `campaign build`
    made); without it, --campaign SLUG, or the only campaign in the queue database.
    """
    from campaign.publish.worker import StoreAdapters
    from campaign.report import campaign_report, to_csv, to_dict

    if config and campaign_slug:
        raise click.UsageError("give CONFIG or --campaign, not both")
    if as_json and csv_out == "-":
        raise click.UsageError("--json and --csv - both write to standard output: give --csv a FILE")
    store, slug = _open(config, campaign_slug, db)
    to_stdout = as_json or csv_out == "-"
    adapters = None if no_fetch else StoreAdapters(store)
    try:
        report: Report = run_with_progress(
            lambda progress: campaign_report(store, slug, adapters, now=now_utc(), refresh=refresh,
                                             progress=progress, top=top),
            quiet=to_stdout, label="reading metrics")
    finally:
        if adapters is not None:
            adapters.close()
        store.close()
    fetch = report.fetch
    for f in fetch.failures if fetch else ():
        click.echo(f"warning: {f.platform} account {f.account}: {f.posts} post(s) not read: {f.message}", err=True)
    if chart_out:
        from campaign.report.chart import render_chart

        written = render_chart(report, chart_out)
        if not to_stdout:
            click.echo(f"chart: {written}")
    if csv_out:
        text = to_csv(report)
        if csv_out == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(csv_out).write_text(text, encoding="utf-8")
            except OSError as e:
                click.echo(f"error: cannot write {csv_out}: {e.strerror or e}", err=True)
                raise click.exceptions.Exit(1) from None
            if not as_json:
                click.echo(f"csv: {csv_out}")
    if as_json:
        echo_json(to_dict(report))
    elif csv_out != "-":
        show(report)
    if fetch is not None and fetch.nothing_read:
        raise click.exceptions.Exit(1)


def show(report: Report) -> None:
    """The report as tables (rich on a terminal, tab-separated when piped)."""
    sim = " (simulated)" if report.simulated else ""
    t = report.totals
    click.echo(f"{report.name} ({report.campaign}): {t.posts} posts, {t.likes:,} likes, {t.reposts:,} reposts, "
               f"{t.replies:,} replies, {t.quotes:,} quotes"
               + (f"; {t.gone} deleted" if t.gone else "") + (f"; {t.unread} not read yet" if t.unread else ""))
    if report.simulated:
        from campaign.report import SIMULATED_NOTE

        click.echo(f"note: {SIMULATED_NOTE}")
    f = report.fetch
    if f is not None:
        click.echo(f"read {f.fetched} of {f.published} posts now"
                   + (f", {f.skipped} read recently or deleted (--refresh reads them again)" if f.skipped else "")
                   + (f", {f.gone} found deleted" if f.gone else "")
                   + (f", waited {f.waited:.0f}s for rate limits" if f.waited else ""))
    if not t.posts:
        click.echo("nothing published yet: `campaign run` publishes the queued posts, "
                   "then `campaign report` reads their figures")
        return
    heads = ["posts", "likes", "reposts", "replies", "quotes", "total"]
    if is_terminal():  # the speaker and platforms under each quote, so the figures fit 80 columns
        _section(f"Per quote{sim}", ["quote", *heads],
                 [["\n".join(x for x in (h.quote.short(30), h.quote.speaker and f"— {h.quote.speaker}",
                                          ", ".join(h.platforms)) if x), *_figures(h.figures)]
                  for h in report.highlights])
    else:
        _section(f"Per quote{sim}", ["quote", "speaker", *heads, "platforms"],
                 [[h.quote.short(200), h.quote.speaker or "", *_figures(h.figures), ", ".join(h.platforms)]
                  for h in report.highlights])
    _section(f"Per platform and account{sim}", ["platform", "account", *heads, "deleted"],
             [[r.platform, r.account, *_figures(r.figures), r.figures.gone or ""] for r in report.accounts])
    if report.days:
        _section(f"Per day of publication ({report.zone}){sim}", ["day", *heads, "platforms"],
                 [[f"{d.day:%a %Y-%m-%d}", *_figures(d.figures), ", ".join(d.by_platform)] for d in report.days])
    if report.top:
        quotes = {h.highlight_id: h.quote for h in report.highlights}
        urls = [_shown_url(p.url) + (" (deleted)" if p.gone else "") for p in report.top]
        tty = is_terminal()  # a terminal lists the URLs whole under the table, to click or copy
        _section(f"Top posts{sim}", ["#", "quote", "platform", "account", "likes", "reposts", "replies", "quotes"]
                 + ([] if tty else ["url"]),
                 [[i + 1, quotes[p.highlight_id].short(28) if p.highlight_id in quotes else "", p.platform, p.account,
                   *(_figures_of(p)), *([] if tty else [urls[i]])] for i, p in enumerate(report.top)])
        for i, url in enumerate(urls if tty else []):
            click.echo(f"{i + 1:>3}  {url}")


def _shown_url(url: str | None) -> str:
    """A post's URL; an outbox file's as a path relative to the working folder when inside it."""
    if not url or not url.startswith("file://"):
        return url or ""
    from urllib.parse import unquote, urlsplit

    path = Path(unquote(urlsplit(url).path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _figures_of(p: Any) -> list[Any]:
    m = p.metrics
    return [m.likes, m.reposts, m.replies, "" if m.quotes is None else m.quotes]


_NUMERIC = {"#", "posts", "likes", "reposts", "replies", "quotes", "total", "deleted"}


def _section(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    click.echo("")
    if is_terminal():  # compact, so the figures fit an 80-column terminal whole: the text columns give way
        from rich import box
        from rich.table import Table

        t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
        for c in columns:
            if c in _NUMERIC:
                t.add_column(c, justify="right", no_wrap=True, min_width=len(c))
            else:
                t.add_column(c, overflow="ellipsis" if c == "quote" else "fold", min_width=min(len(c), 8))
        for r in rows:
            t.add_row(*("" if v is None else str(v) for v in r))
        console().print(t)
    else:
        click.echo(f"# {title}")
        table(None, columns, rows)
