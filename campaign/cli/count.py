"""`campaign count`: a text's length as one platform counts it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from campaign.cli import cli
from campaign.cli.output import echo_json

if TYPE_CHECKING:
    from campaign.platforms import Rules


@cli.command()
@click.option(
    "--platform",
    "-p",
    required=True,
    metavar="P",
    help="Platform whose rules to apply: x, mastodon, bluesky or outbox.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Override the length limit (e.g. an instance's max_characters).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print platform, length, limit, fits, problems (and Bluesky facets) as JSON.",
)
@click.argument("text", required=False)
def count(platform: str, limit: int | None, as_json: bool, text: str | None) -> None:
    """Print TEXT's length/limit on platform P and why it does not fit (TEXT, or stdin if omitted or -).

    Exits 1 when the text does not fit.
    """
    from campaign import platforms

    if text is None or text == "-":
        text = sys.stdin.read()
        if text.endswith("\n"):
            text = text[:-1]
    from campaign.errors import CampaignError

    try:
        rules = platforms.get(platform, **({"max_chars": limit} if limit else {}))
    except CampaignError as e:  # an unknown platform is a usage error
        raise click.BadParameter(str(e), param_hint="--platform") from None
    report = count_text(rules, text)
    if as_json:
        echo_json(report)
    else:
        click.echo(f"{report['length']}/{report['limit']}")
        for p in report["problems"]:
            click.echo(f"problem: {p}")
    if not report["fits"]:
        click.get_current_context().exit(1)


def count_text(rules: Rules, text: str) -> dict[str, Any]:
    """The report `campaign count` prints, for `rules` from `campaign.platforms.get`."""
    problems = rules.problems(text)
    report: dict[str, Any] = {
        "platform": rules.name,
        "length": rules.length(text),
        "limit": rules.max_chars,
        "fits": not problems,
        "problems": problems,
    }
    facets = getattr(rules, "facets", None)
    if callable(facets):
        report["facets"] = facets(text)
    return report
