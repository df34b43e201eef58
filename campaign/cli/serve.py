"""`campaign serve`: the volunteer studio web app (see `campaign.serve`)."""

from __future__ import annotations

from pathlib import Path

import click

from campaign.cli import cli


@cli.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep 127.0.0.1 behind a reverse proxy).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--themes", multiple=True, metavar="NAMES",
              help="Themes volunteers may pick, comma-separated: campaign, dark, paper, photo, light "
                   "(default: the campaign's own; without CONFIG, all).")
@click.option("--sizes", multiple=True, metavar="NAMES",
              help="Sizes volunteers may pick, comma-separated: square, portrait, landscape, story, og "
                   "(default: the campaign's; without CONFIG, all).")
@click.option("--renders-per-minute", default=60, show_default=True, type=click.IntRange(1, 6000),
              help="Cards one client may render a minute (previews included).")
@click.option("--render-timeout", default=5.0, show_default=True, type=click.FloatRange(0.5, 60),
              help="Seconds a card may take before the request is answered with an error.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Threads drawing cards.")
@click.option("--behind-proxy", is_flag=True,
              help="Trust X-Forwarded-For from a reverse proxy on 127.0.0.1 (for the rate limit).")
def serve(config: str | None, host: str, port: int, themes: tuple[str, ...], sizes: tuple[str, ...],
          renders_per_minute: int, render_timeout: float, workers: int, behind_proxy: bool) -> None:
    """Run the volunteer studio: make a quote card in a browser, and (with CONFIG) the
    campaign's posts and cards, live, at /campaign/. Stop it with Ctrl-C.
    """
    import tempfile

    from campaign.serve import LiveCampaign, studio_options
    from campaign.serve.app import create_app
    from campaign.serve.app import serve as run

    cfg = None
    if config:
        from campaign.config import load

        cfg = load(config)
    options = studio_options(cfg, themes=themes, sizes=sizes, renders_per_minute=renders_per_minute,
                             render_timeout=render_timeout, workers=workers)
    with tempfile.TemporaryDirectory(prefix="campaign-serve-") as tmp:
        live = None
        if config:
            from campaign.config import CampaignConfig
            from campaign.models import Card, Highlight
            from campaign.pipeline import build

            def builder(c: CampaignConfig, out: Path) -> tuple[list[Highlight], list[Card]]:
                result = build(c, out_dir=out, cards=True, jobs=1, live=False)
                return result.highlights, result.cards

            from campaign.review.pack import QueueApprovals

            assert cfg is not None  # review: required shows what the queue ($CAMPAIGN_DB) approved
            live = LiveCampaign(Path(config), builder, Path(tmp), approved=QueueApprovals(None, cfg.campaign.slug))
            snap = live.refresh()
            if snap.error:
                raise click.ClickException(snap.error)
        if host not in ("127.0.0.1", "::1", "localhost"):
            click.echo(f"warning: listening on {host}: anyone who can reach it can use the studio; "
                       "put a reverse proxy with TLS in front (see the README)", err=True)
        where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        click.echo(f"studio: {where}" + (f"  campaign: {where}campaign/" if config else ""), err=True)
        run(create_app(options, live), host=host, port=port, proxy=behind_proxy)
