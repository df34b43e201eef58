"""`campaign card` (one card, no config) and `campaign cards` (every card of a campaign)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import click

from campaign.cli import cli
from campaign.cli.output import config_argument, echo_json, run_with_progress, show_library_warnings

THEME_NAMES = ("dark", "paper", "photo", "light")
SIZE_HELP = "square 1080x1080, portrait 1080x1350, landscape 1200x675, story 1080x1920, og 1200x630, or WxH"


@cli.command()
@click.argument("quote")
@click.option("--by", "speaker", required=True, help="Who said it (shown on the card).")
@click.option("--role", help="The speaker's title or function, shown under the name.")
@click.option("--theme", default="dark", show_default=True,
              help="Built-in theme: " + ", ".join(THEME_NAMES) + ".")
@click.option("--size", default="square", show_default=True, help=SIZE_HELP + ".")
@click.option("--lang", "language", default="en", show_default=True,
              help="Language of the quote (BCP 47: en, fa-AF, prs, ps, ar...).")
@click.option("--source", "source_line", help="A small line under the speaker (event, date).")
@click.option("--footer", help="A handle or URL for the bottom of the card.")
@click.option("--format", "fmt", type=click.Choice(["png", "jpeg"]), default="png",
              show_default=True, help="Image format.")
@click.option("--budget", type=int, default=1_000_000, show_default=True,
              help="Largest file size in bytes (Bluesky's limit by default).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Image file to write (default: quote-<hash>-<size>.<ext> here).")
@click.option("--json", "as_json", is_flag=True, help="Print path, size and alt text as JSON.")
def card(quote: str, speaker: str, role: str | None, theme: str, size: str, language: str,
         source_line: str | None, footer: str | None, fmt: str, budget: int,
         output: Path | None, as_json: bool) -> None:
    """Render one quote card for QUOTE, with no campaign file needed.

    Writes the image and its alt text beside it (<name>.alt.txt), then prints both.
    """
    from campaign.cards import render_card
    from campaign.cards.batch import alt_path
    from campaign.config.types import parse_language

    try:
        parse_language(language)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--lang") from None
    show_library_warnings()
    digest = hashlib.sha256(f"{quote}\0{speaker}".encode()).hexdigest()[:8]
    ext = "jpg" if fmt == "jpeg" else "png"
    path = output or Path(f"quote-{digest}-{size}.{ext}")
    data, alt = render_card(quote, speaker=speaker, role=role, theme=theme, size=size,
                            language=language, source_line=source_line, footer=footer,
                            fmt=fmt, budget=budget, highlight_id=f"quote-{digest}")
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    alt_file = alt_path(path)
    alt_file.write_text(alt + "\n", encoding="utf-8")
    if as_json:
        echo_json({"path": str(path), "bytes": len(data), "alt": alt, "alt_file": str(alt_file)})
        return
    click.echo(f"wrote {path} ({len(data):,} bytes)")
    click.echo(f"alt: {alt}")


@cli.command()
@config_argument()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the cards (default: cards/ in the campaign's output folder: the YAML's "
                   "`output:`, else campaign-out/<slug> beside the YAML).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes rendering in parallel (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def cards(config: str, out_dir: Path | None, jobs: int | None, as_json: bool) -> None:
    """Render every card of CONFIG in every size its accounts need.

    Writes the images, their alt text (<name>.alt.txt), manifest.json and contact-sheet.png.
    """
    from campaign.cards import render_campaign
    from campaign.config import load

    cfg = load(config)
    if not cfg.cards.enabled:
        click.echo("cards are disabled in this campaign (cards.enabled: false)", err=True)
        if as_json:  # the usual shape, with no cards: a script reading `.cards` needs no special case
            echo_json({"dir": None, "manifest": None, "contact_sheet": None, "cards": [], "enabled": False})
        return
    show_library_warnings()
    from campaign.pipeline import chosen_highlights, default_out_dir

    _, highlights = chosen_highlights(cfg)

    out = out_dir or default_out_dir(cfg) / "cards"
    n = jobs or os.cpu_count() or 1
    result = run_with_progress(lambda progress: render_campaign(
        cfg, list(highlights), out, jobs=n, progress=progress), quiet=as_json)
    if as_json:
        echo_json({
            "dir": str(out),
            "manifest": str(out / "manifest.json"),
            "contact_sheet": str(out / "contact-sheet.png"),
            "cards": [
                {"highlight_id": c.highlight_id, "size": c.size, "path": c.path,
                 "bytes": c.bytes, "alt": c.alt, "theme": c.theme}
                for c in result
            ],
        })
        return
    total = sum(c.bytes for c in result)
    click.echo(f"wrote {len(result)} cards ({total / 1e6:.1f} MB) to {out}")
    click.echo(f"manifest: {out / 'manifest.json'}")
    if result:
        click.echo(f"contact sheet: {out / 'contact-sheet.png'}")
