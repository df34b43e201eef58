"""The `campaign` command: a root click group; each command group lives in its own module.

Only click is imported at start-up; every command imports the library lazily, so
`campaign --help` stays fast. Errors become one-line messages here, in one place.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import Any

import click

from campaign import __version__
from campaign.errors import CampaignError

# Modules that attach commands to `cli` (one per command group).
COMMAND_MODULES = (
    "project",
    "extract",
    "count",
    "compose",
    "accounts",
    "cards",
    "pack",
    "serve",
    "schedule",
    "queue",
    "run",
    "review",
    "build",
    "report",
)


class CampaignGroup(click.Group):
    """Turns library errors into `error: ...` lines and exit codes; never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from campaign.redact import redact

        try:
            return super().invoke(ctx)
        except CampaignError as e:
            for line in str(e).splitlines() or [type(e).__name__]:
                click.echo(redact(f"error: {line}"), err=True)
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # `campaign jobs | head -1`: quiet, as a shell reports SIGPIPE
            _silence_stdout()
            ctx.exit(EXIT_PIPE)
        except OSError as e:  # a folder that cannot be written, a full disk, a path under a file
            where = " -> ".join(str(f) for f in (e.filename, e.filename2) if f is not None)
            why = e.strerror or str(e) or type(e).__name__
            click.echo(redact(f"error: {where}: {why}" if where else f"error: {why}"), err=True)
            ctx.exit(1)
        except OverflowError as e:  # a job id or count near 2**63 and beyond: the input, not a bug
            click.echo(redact(f"error: a number is out of range ({e})"), err=True)
            ctx.exit(2)
        except Exception as e:  # the last line of defence: a bug, reported in one line
            if isinstance(e, ValueError) and "null byte" in str(e):  # a path with a NUL (os.stat): the input
                click.echo("error: an argument holds a NUL character, which no file name can", err=True)
                ctx.exit(2)
            if os.environ.get("CAMPAIGN_DEBUG"):
                raise
            if type(e).__module__ == "sqlite3":  # damaged, read-only or full: the database, not a bug
                click.echo(redact(f"error: the queue database: {e} ({_DB_HINT.get(str(e), _DB_HINT[''])})"),
                           err=True)
                ctx.exit(1)
            msg = redact(f"internal error: {type(e).__name__}: {e}")
            click.echo(msg + " (set CAMPAIGN_DEBUG=1 for the traceback)", err=True)
            ctx.exit(70)


@click.group(cls=CampaignGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="campaign")
def cli() -> None:
    """Turn an article into a coordinated, accessible, multi-platform campaign.

    Start with `campaign init`, check your YAML with `campaign validate`, then
    `campaign build CONFIG` to run the whole chain.
    """


for _name in COMMAND_MODULES:
    import_module(f"campaign.cli.{_name}")


_DB_HINT = {
    "database disk image is malformed": "it is damaged: restore a copy, or give another --db",
    "attempt to write a readonly database": "it is read-only: check the file's permissions",
    "database or disk is full": "free some disk space and run again",
    "": "check the file, or give another --db",
}
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell shows for a command whose reader went away


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _check_streams_and_args(argv: list[str]) -> str | None:
    """A one-line reason when the process cannot run as asked: stdout closed, or an argument
    that is not valid UTF-8 (Python hands those over with lone surrogates). A closed stdin
    reads as empty."""
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    if sys.stdout is None:
        return "standard output is closed; redirect it to a file or /dev/null"
    for i, arg in enumerate(argv, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = repr(os.fsencode(arg))[2:-1]
            return f"argument {i} ({shown}) is not valid UTF-8"
    return None


def main() -> None:
    """Console-script entry point."""
    problem = _check_streams_and_args(sys.argv[1:])
    if problem:
        if sys.stderr is not None:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    try:
        cli(prog_name="campaign")
    except BrokenPipeError:  # e.g. `campaign jobs | head`
        _silence_stdout()
        sys.exit(EXIT_PIPE)
