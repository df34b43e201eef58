"""`campaign count`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from campaign.cli import cli


def run(*args: str, input: str | None = None):  # noqa: ANN201
    return CliRunner().invoke(cli, ["count", *args], input=input, catch_exceptions=False)


def test_count_text() -> None:
    r = run("--platform", "x", "Hello example.com \U0001f44b\U0001f3fd")
    assert r.exit_code == 0 and r.output == "32/280\n"


def test_count_stdin_and_dash() -> None:
    assert run("-p", "mastodon", input="@ana@example.social\n").output == "4/500\n"
    assert run("-p", "mastodon", "-", input="abc\n").output == "3/500\n"


def test_too_long_exits_1_with_problem() -> None:
    r = run("-p", "bluesky", "x" * 301)
    assert r.exit_code == 1
    assert r.output.splitlines() == ["301/300", "problem: too long: 301/300 graphemes"]


def test_json_bluesky_has_facets() -> None:
    r = run("-p", "bluesky", "--json", "see example.com #tag")
    data = json.loads(r.output)
    assert r.exit_code == 0
    assert data["platform"] == "bluesky" and data["limit"] == 300 and data["fits"] is True
    assert data["length"] == 20 and data["problems"] == []
    assert [f["index"] for f in data["facets"]] == [
        {"byteStart": 4, "byteEnd": 15},
        {"byteStart": 16, "byteEnd": 20},
    ]


def test_json_x_invalid() -> None:
    r = run("-p", "x", "--json", "a\ufeffb")
    data = json.loads(r.output)
    assert r.exit_code == 1 and data["fits"] is False and "facets" not in data
    assert data["problems"] == ["invalid characters: U+FEFF"]


def test_limit_option_and_unknown_platform() -> None:
    assert run("-p", "mastodon", "--limit", "3", "abcd").exit_code == 1
    r = run("-p", "myspace", "hi")
    assert r.exit_code == 2 and "known: x, mastodon, bluesky, outbox" in r.output


def test_outbox_has_no_limit() -> None:
    r = run("-p", "outbox", "x" * 5000)
    assert r.exit_code == 0 and r.output == "5000/1000000000\n"
