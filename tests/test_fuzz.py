"""Fuzz (hypothesis) over what comes from outside: CLI arguments and what servers answer. Whatever
arrives, the result is a value or a one-line error with a usage/failure exit code: never a
traceback, never an internal error (exit 70), never a hang."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from campaign.cli import cli
from campaign.publish.adapters.mastodon_server import (
    compatible_version,
    limits_from_instance,
    plain_text,
)
from campaign.publish.adapters.x import retry_after_from

ALLOWED_EXITS = {0, 1, 2}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
COMMANDS = [["validate"], ["extract"], ["count", "-p", "x"], ["count", "-p"], ["jobs", "--limit"],
            ["reschedule"], ["cancel"], ["plan"], ["card"], ["log"], ["run", "--once", "--lease"]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), args=st.lists(words, max_size=3))
def test_any_cli_arguments_end_in_a_one_line_answer(tmp_path: Path, monkeypatch: Any, command: list[str],
                                                     args: list[str]) -> None:
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    r = CliRunner().invoke(cli, [*command, *args])
    assert time.perf_counter() - started < 20
    assert r.exit_code in ALLOWED_EXITS, (command, args, r.output)
    assert "Traceback" not in r.output and "internal error" not in r.output
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise AssertionError(f"{command} {args}: {type(r.exception).__name__}: {r.exception}")


@settings(max_examples=300, deadline=None)
@given(info=json_values)
def test_any_instance_document_gives_usable_limits(info: Any) -> None:
    lim = limits_from_instance(info if isinstance(info, dict) else {"configuration": info})
    for value in (lim.max_characters, lim.characters_reserved_per_url, lim.max_media_attachments,
                  lim.description_limit, lim.image_size_limit):
        assert isinstance(value, int) and 0 < value <= 1_000_000_000


@settings(max_examples=300, deadline=None)
@given(version=st.text(max_size=60), html=st.text(max_size=200))
@example(version="", html="<![0")  # a malformed declaration: Python's html.parser asserts on it
def test_any_version_string_and_status_html_parse(version: str, html: str) -> None:
    found = compatible_version(version)
    assert found is None or (len(found) == 3 and all(isinstance(n, int) for n in found))
    assert isinstance(plain_text(html), str)


@settings(max_examples=300, deadline=None)
@given(headers=st.dictionaries(st.sampled_from([
    "x-rate-limit-reset", "x-rate-limit-remaining", "x-user-limit-24hour-reset",
    "x-user-limit-24hour-remaining", "x-app-limit-24hour-reset", "x-app-limit-24hour-remaining",
    "retry-after"]), st.text(max_size=25) | st.integers().map(str), max_size=6))
def test_any_rate_limit_headers_give_a_finite_wait(headers: dict[str, str]) -> None:
    wait = retry_after_from(headers, now=1_700_000_000.0)
    assert isinstance(wait, float | int) and math.isfinite(wait) and wait >= 0


def test_status_html_the_parser_gives_up_on_is_read_by_stripping_tags() -> None:
    assert plain_text("<p>Free the dockers &amp; their families</p><![0 <b>now</b>") == (
        "Free the dockers & their families\n\nnow")
