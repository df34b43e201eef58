"""`campaign extract`: the quotes, speakers and key sentences found in an article."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from campaign.cli import cli
from campaign.cli.output import echo_json, table

if TYPE_CHECKING:
    from campaign.models import Highlight


@cli.command()
@click.argument("source", metavar="ARTICLE_OR_CONFIG")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N highlights.")
@click.option("--all", "show_all", is_flag=True,
              help="With a config: list every candidate (for pinned/exclude ids), not only the selection.")
def extract(source: str, as_json: bool, limit: int | None, show_all: bool) -> None:
    """List the highlights of an article file or URL, or the selection of a campaign config.

    A .yaml/.yml argument is a campaign config: its article settings and its
    highlights selection (pinned, exclude, extra, auto.count) apply.
    """
    from campaign import highlights

    if source.lower().endswith((".yaml", ".yml")):
        from campaign.article import read_article
        from campaign.config import load

        cfg = load(source)
        if show_all:
            art = cfg.article
            src = art.source if art.is_url else str(cfg.resolve(art.source))
            article = read_article(src, exclude=art.exclude, title=art.title, author=art.author,
                                   url=art.url, language=cfg.campaign.language)
            auto = cfg.highlights.auto
            items = highlights.extract(article, min_length=auto.min_length, max_length=auto.max_length)
        else:
            from campaign.pipeline import chosen_highlights

            _, items = chosen_highlights(cfg)
    else:
        from campaign.article import read_article

        items = highlights.extract(read_article(source))
    if limit is not None:
        items = items[:limit]
    if as_json:
        echo_json([
            {"id": h.id, "kind": h.kind, "text": h.text, "speaker": h.speaker, "role": h.role,
             "speaker_confident": h.confident if h.speaker else None, "evidence": h.evidence or None,
             "score": h.score, "start": h.start, "end": h.end, "pinned": h.pinned}
            for h in items
        ])
        return
    rows = [[h.id, h.kind, _speaker_cell(h), f"{h.score:.2f}", h.text] for h in items]
    table(f"{len(items)} highlight(s)", ["id", "kind", "speaker", "score", "text"], rows)
    unsure = [h for h in items if h.speaker and not h.credited]
    if unsure:
        click.echo(f"? = uncertain speaker ({len(unsure)}): not put on posts or cards until you pin the "
                   "highlight with its speaker; --json shows how each speaker was found", err=True)


def _speaker_cell(h: Highlight) -> str:
    """The speaker, marked `?` when uncertain, with the evidence in brief."""
    if not h.speaker:
        return ""
    if h.credited:
        return h.speaker
    how = "pronoun" if "pronoun" in h.evidence else h.evidence.split(":", 1)[0].split(",", 1)[0]
    return f"? {h.speaker}" + (f" ({how})" if how else "")
