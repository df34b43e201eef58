"""Shared output helpers for commands: JSON, rich tables on a terminal, plain text when piped."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

# What click's parameter decorators (`click.argument`, `click.option`) accept and return.
FC = TypeVar("FC", bound="Callable[..., Any] | click.Command")


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


def config_argument() -> Callable[[FC], FC]:
    """The CONFIG argument most commands take."""
    return click.argument("config", type=click.Path(dir_okay=False, path_type=str))


class _WarningEcho(logging.Handler):
    """Library warnings (low contrast, unreadable instance limits) as `warning: ...` on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        from campaign.redact import redact

        click.echo(f"warning: {redact(record.getMessage())}", err=True)


def show_library_warnings() -> None:
    """Send the library's warnings (logger `campaign`) to stderr as one-line messages."""
    logger = logging.getLogger("campaign")
    if not any(isinstance(h, _WarningEcho) for h in logger.handlers):
        handler = _WarningEcho(level=logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False


def run_with_progress(run: Any, *, quiet: bool, label: str = "cards") -> Any:
    """Call `run(progress)` with a rich progress bar on a terminal; `run(None)` when piped or quiet."""
    if quiet or not is_terminal():
        return run(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # auto_refresh off: no background thread while worker processes are forked
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  auto_refresh=False, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        return run(progress)
