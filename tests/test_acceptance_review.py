"""Acceptance pass over review (issue 16) on messy input: unknown campaigns and accounts, an empty
`--as`, and the terminal review in a terminal narrower than 80×24."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.queue.sqlite import SqliteStore
from tests.helpers import cli_run as run
from tests.helpers import pending_json as pending
from tests.helpers import write_review_campaign as write


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    monkeypatch.setenv("CAMPAIGN_REVIEWER", "amina")
    cfg = write(tmp_path)
    run("queue", str(cfg))
    return cfg


@pytest.mark.parametrize("args", [["approve", "--campaign", "watr"], ["pending", "--campaign", "watr"],
                                  ["review", "--campaign", "watr"]])
def test_an_unknown_campaign_is_named_not_reported_as_nothing_to_review(campaign: Path, args: list[str]) -> None:
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 1, out.output
    assert "no campaign 'watr' in the queue (queued: water)" in out.output
    assert "nothing waits" not in out.output
    assert len(pending()) == 3


def test_an_unknown_account_in_bulk_is_named(campaign: Path) -> None:
    out = CliRunner().invoke(cli, ["approve", "--campaign", "water", "--account", "town_xx"])
    assert out.exit_code == 1 and "no account 'town_xx'" in out.output and "town_x" in out.output
    assert len(pending()) == 3


@pytest.mark.parametrize("command", [["approve", "1"], ["reject", "1", "--note", "wrong name"]])
def test_an_empty_as_is_refused_not_replaced_by_the_os_user(campaign: Path, command: list[str]) -> None:
    out = CliRunner().invoke(cli, [*command, "--as", " "])
    assert out.exit_code == 1 and "error: --as needs a name" in out.output
    assert pending()[0]["review"] == "pending" and pending()[0]["approvals"] == []


def test_the_review_keeps_its_keys_and_dialog_on_screen_at_60_by_20(campaign: Path) -> None:
    from campaign.review.tui import ReviewApp

    store = SqliteStore(Path("q.sqlite3"))

    async def drive() -> tuple[str, int, int]:
        app = ReviewApp(store, reviewer="amina")
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            bottom = "".join(s.text for s in app.screen._compositor.render_strips()[-1])
            await pilot.press("r")
            await pilot.pause()
            dialog = app.screen.query_one("#dialog").region
            await pilot.press("escape")
            return bottom, dialog.x, dialog.right

    try:
        shown, left, right = asyncio.run(drive())
    finally:
        store.close()
    assert "Approve" in shown and "Quit" in shown, shown
    assert left >= 0 and right <= 60


def test_approving_several_ids_reports_each_and_a_bad_one_stops_none(campaign: Path) -> None:
    first, second = (p["id"] for p in pending()[:2])
    out = CliRunner().invoke(cli, ["approve", str(first), "999", str(second), "--now"])
    assert out.exit_code == 1
    assert f"#{first} town_x approved by amina" in out.stdout and f"#{second} town_x approved by amina" in out.stdout
    assert "not approved: no job #999" in out.stderr
    assert first not in [p["id"] for p in pending()] and second not in [p["id"] for p in pending()]


def test_the_rejected_list_says_who_rejected_each_post_and_why(campaign: Path) -> None:
    first = pending()[0]["id"]
    assert run("reject", str(first), "--as", "jo", "--note", "wrong   name on the card").exit_code == 0
    table = run("pending", "--rejected").output
    assert "why" in table.splitlines()[0] and "jo: wrong name on the card" in table
    (post,) = json.loads(run("pending", "--rejected", "--json").output)
    assert post["rejection"] == {"by": "jo", "note": "wrong name on the card"}
    assert json.loads(run("pending", "--json").output)[0]["rejection"] is None


def test_with_review_off_a_rejection_is_refused_not_falsely_reported(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    run("queue", str(write(tmp_path, review="review: off", start="2099-01-05 09:00")))
    out = CliRunner().invoke(cli, ["reject", "1", "--as", "jo", "--note", "wrong name"])
    assert out.exit_code == 1 and "rejected by" not in out.output
    assert "review: off" in out.output and "`campaign cancel 1`" in out.output
    out = CliRunner().invoke(cli, ["approve", "1", "--as", "jo"])
    assert out.exit_code == 1 and "review: off" in out.output and "approved by" not in out.output
    assert [line.split("\t")[4] for line in run("jobs").output.splitlines()[1:]] == ["todo"] * 3


def test_rescheduling_a_post_that_waits_for_review_says_it_still_waits(campaign: Path) -> None:
    first, second = (p["id"] for p in pending()[:2])
    out = CliRunner().invoke(cli, ["reschedule", str(first), "--at", "2020-01-01 09:00"])
    assert out.exit_code == 0
    assert "goes out at the next `campaign run` once approved" in out.stderr
    assert f"note: #{first} waits for review: it goes out once approved (`campaign approve {first}`)" in out.stdout
    run("reject", str(second), "--note", "no")
    out = CliRunner().invoke(cli, ["reschedule", str(second), "--at", "+1h"])
    assert f"note: #{second} is rejected: it stays out until approved" in out.stdout


def test_approving_two_parts_of_one_thread_approves_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import REVIEW_TUI_ARTICLE as ARTICLE

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    (tmp_path / "a.txt").write_text(ARTICLE.replace("“No family", "“No family should ever have to wait for "
                                                    "clean water while the council argues about budgets, and no "
                                                    "child should fall ill because of pipes everyone knew were "
                                                    "broken, and no parent should have to boil every glass of water for a whole winter while the same "
                                                    "officials promise repairs that never come, and no"), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("""campaign: {name: Water, slug: water, timezone: Europe/Paris}
article: {source: a.txt, url: https://example.org/water}
highlights: {auto: {count: 4, min_length: 30, max_length: 400}}
posts: {threads: {allow: true, max_parts: 3}}
cards: {enabled: false}
review: required
accounts:
  town_x: {platform: outbox, simulate: x}
schedule:
  start: "2099-01-05 09:00"
  slots: [{days: daily, times: ["09:00", "13:00", "18:00"]}]
""", encoding="utf-8")
    run("queue", "c.yaml")
    (thread,) = [p for p in pending() if len(p["jobs"]) > 1]
    out = CliRunner().invoke(cli, ["approve", *map(str, thread["jobs"]), "--as", "jo"])
    assert out.exit_code == 0, out.output
    assert out.stdout.count("approved by jo") == 1 and "not approved" not in out.output


def test_an_empty_note_in_the_review_screen_says_what_to_do_there(campaign: Path) -> None:
    from textual.widgets import Static

    from campaign.review.tui import ReviewApp

    store = SqliteStore(Path("q.sqlite3"))

    async def drive() -> str:
        app = ReviewApp(store, reviewer="amina")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            return str(app.query_one("#message", Static).render())

    try:
        message = asyncio.run(drive())
    finally:
        store.close()
    assert "needs a note" in message and "--note" not in message, message  # no CLI flag inside the screen
