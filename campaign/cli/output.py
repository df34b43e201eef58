"""Shared output helpers for commands: JSON, rich tables on a terminal, plain text when piped."""

from __future__ import annotations

import json
import sys
from typing import Any

import click


def echo_json(data: Any) -> None:
    """Print `data` as indented JSON (dates and paths as strings)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def console() -> Any:
    """A rich Console on stdout (imported lazily to keep start-up fast)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def is_terminal() -> bool:
    return sys.stdout.isatty()


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    """A rich table on a terminal; tab-separated lines when piped."""
    if not is_terminal():
        click.echo("\t".join(columns))
        for r in rows:
            click.echo("\t".join("" if v is None else str(v).replace("\n", " ") for v in r))
        return
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*("" if v is None else str(v) for v in r))
    console().print(t)


def config_argument() -> Any:
    """The CONFIG argument most commands take."""
    return click.argument("config", type=click.Path(dir_okay=False, path_type=str))
