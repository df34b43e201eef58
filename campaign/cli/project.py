"""`campaign init` and `campaign validate`."""

from __future__ import annotations

from pathlib import Path

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: Path, force: bool) -> None:
    """Write a commented starter campaign.yaml and an article placeholder into DIRECTORY."""
    from importlib.resources import files

    directory.mkdir(parents=True, exist_ok=True)
    data = files("campaign") / "data"
    targets = {"campaign.yaml": "starter.yaml", "article.txt": "starter-article.txt"}
    existing = [n for n in targets if (directory / n).exists()]
    if existing and not force:
        raise click.UsageError(f"{directory / existing[0]} exists; use --force to overwrite")
    for name, source in targets.items():
        (directory / name).write_text((data / source).read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"wrote {directory / 'campaign.yaml'} and {directory / 'article.txt'}")
    click.echo(f"next: edit them, then `campaign validate {directory / 'campaign.yaml'}`")


@cli.command()
@config_argument()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def validate(config: str, as_json: bool) -> None:
    """Check CONFIG: every problem as file:line:column, or ok with a summary."""
    from campaign.config import load
    from campaign.summary import summarize

    cfg = load(config)
    unsure: list[dict[str, str]] = []
    if not cfg.article.is_url:  # a local article is cheap to read: check the ids the config names
        from campaign.errors import ArticleError, ConfigError
        from campaign.pipeline import chosen_highlights, locate

        try:
            _, chosen = chosen_highlights(cfg)
        except ArticleError as e:
            raise ConfigError(locate(cfg, ("article", "source"), str(e))) from None
        unsure = [{"id": h.id, "speaker": h.speaker or "", "evidence": h.evidence}
                  for h in chosen if h.speaker and not h.credited]
    summary = summarize(cfg)
    if as_json:
        echo_json({"ok": True, **summary, "uncertain_speakers": unsure, "warnings": cfg.warnings()})
        return
    click.echo(f"ok: {config}")
    click.echo(summary["text"])
    for w in cfg.warnings():
        click.echo(f"warning: {w}", err=True)
    for u in unsure:
        click.echo(f"uncertain speaker: highlight {u['id']} may be {u['speaker']} ({u['evidence']}); "
                   "posted without a name unless you pin it in highlights.pinned", err=True)
