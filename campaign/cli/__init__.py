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
    "schedule",
    "queue",
    "run",
    "build",
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
        except BrokenPipeError:
            ctx.exit(1)
        except OSError as e:  # a folder that cannot be written, a full disk, a path under a file
            where = " -> ".join(str(f) for f in (e.filename, e.filename2) if f is not None)
            why = e.strerror or str(e) or type(e).__name__
            click.echo(redact(f"error: {where}: {why}" if where else f"error: {why}"), err=True)
            ctx.exit(1)
        except Exception as e:  # the last line of defence: a bug, reported in one line
            if os.environ.get("CAMPAIGN_DEBUG"):
                raise
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


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="campaign")
    except BrokenPipeError:  # e.g. `campaign jobs | head`
        sys.stderr.close()
        sys.exit(1)
