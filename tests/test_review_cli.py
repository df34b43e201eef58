"""`campaign approve`, `reject`, `pending`, and review in `queue`, `status`, `jobs`, `log`, `run`
and `pack`, on a small campaign with one uncertain speaker (a pronoun with two candidates)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.config import load
from campaign.errors import ConfigError
from campaign.queue.sqlite import SqliteStore
from campaign.review import edit_post
from tests.helpers import REVIEW_CONFIG as CONFIG
from tests.helpers import cli_run as run
from tests.helpers import pending_json as pending
from tests.helpers import write_review_campaign as write


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    monkeypatch.setenv("CAMPAIGN_REVIEWER", "amina")
    return write(tmp_path)




def outbox(tmp_path: Path) -> list[str]:
    return sorted(json.loads(p.read_text())["text"] for p in (tmp_path / "outbox").glob("*/*.json"))


def test_nothing_goes_out_until_approved(campaign: Path, tmp_path: Path) -> None:
    out = run("queue", str(campaign))
    assert "review: 3 post(s) pending (3 overdue" in out.output and "`campaign review`" in out.output
    sent = run("run", "--once")
    assert sent.exit_code == 0 and "sent 0" in sent.output and "waiting for review: 3 post(s)" in sent.output
    assert outbox(tmp_path) == []
    status = run("status")
    assert "todo: 3" in status.output and "review: 3 post(s) pending (3 overdue" in status.output
    assert json.loads(run("status", "--json").output)["review"] == {"pending": 3, "overdue": 3, "rejected": 0}


def test_bulk_refuses_the_uncertain_speaker_which_is_approved_alone(campaign: Path, tmp_path: Path) -> None:
    run("queue", str(campaign))
    posts = pending()
    (guess,) = [p for p in posts if p["speaker_uncertain"]]
    assert guess["speaker"] == "Tom Alder" and "pronoun" in guess["evidence"]
    assert guess["sentence"].startswith("Tom Alder met Jim Becker") and "he said" in guess["sentence"]
    table = run("pending").output
    assert f"! #{guess['id']}: speaker 'Tom Alder' is uncertain" in table
    bulk = run("approve", "--campaign", "water", "--note", "checked", "--now")
    assert bulk.exit_code == 1
    assert "not approved: job #" in bulk.output and "Tom Alder" in bulk.output
    assert [p["id"] for p in pending()] == [guess["id"]]
    alone = run("approve", str(guess["id"]), "--as", "jo", "--now")
    assert alone.exit_code == 0 and "approved by jo" in alone.output
    assert pending() == []
    run("run", "--once")
    assert len(outbox(tmp_path)) == 3
    log = run("log", str(guess["id"])).output
    assert "approved" in log and "(jo)" in log


def test_approved_after_its_slot_goes_at_the_next_free_slot(campaign: Path) -> None:
    run("queue", str(campaign))
    first = pending()[0]
    before = datetime.now(UTC)
    out = run("approve", str(first["id"]), "--as", "jo")
    assert "moved from" in out.output
    store = SqliteStore(Path("q.sqlite3"))
    try:
        at = store.get(first["id"]).run_at
    finally:
        store.close()
    local = at.astimezone(ZoneInfo("Europe/Paris"))
    assert at > before and local.strftime("%H:%M") in ("09:00", "13:00", "18:00")
    assert "rescheduled" in run("log", str(first["id"])).output
    now = run("approve", str(pending()[0]["id"]), "--now")
    assert now.exit_code == 0 and "moved from" in now.output


def test_reject_needs_a_note_and_keeps_the_post_out_of_run_and_pack(campaign: Path, tmp_path: Path) -> None:
    run("queue", str(campaign))
    posts = pending()
    no_note = CliRunner().invoke(cli, ["reject", str(posts[0]["id"])])
    assert no_note.exit_code == 2 and "--note" in no_note.output
    blank = CliRunner().invoke(cli, ["reject", str(posts[0]["id"]), "--note", " "])
    assert blank.exit_code == 1 and "needs a note" in blank.output
    assert run("reject", str(posts[0]["id"]), "--note", "wrong quote").exit_code == 0
    for p in posts[1:]:
        assert run("approve", str(p["id"]), "--now").exit_code == 0
    assert [p["id"] for p in pending("--rejected")] == [posts[0]["id"]]
    jobs = run("jobs").output
    assert "rejected" in jobs and "1 rejected" in jobs
    assert "[todo, rejected]" in run("log", str(posts[0]["id"])).output
    run("run", "--once")
    sent = outbox(tmp_path)
    assert len(sent) == 2 and not any(posts[0]["parts"][0][:30] in t for t in sent)
    pack = CliRunner().invoke(cli, ["pack", str(campaign), "-o", str(tmp_path / "pack"), "--json"],
                              catch_exceptions=False)
    data = json.loads(pack.output)
    assert data["held_for_review"] == [posts[0]["highlight_id"]]
    html = (tmp_path / "pack" / "index.html").read_text(encoding="utf-8")
    rejected_words = posts[0]["parts"][0].split("”")[0].strip("“")[:40]
    assert rejected_words not in html
    assert all(p["parts"][0].split("”")[0].strip("“")[:40] in html for p in posts[1:])


def test_pack_shows_nothing_before_any_approval(campaign: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, ["pack", str(campaign), "-o", str(tmp_path / "pack")], catch_exceptions=False)
    assert "3 of 3 highlights left out: not approved yet" in out.output
    html = (tmp_path / "pack" / "index.html").read_text(encoding="utf-8")
    assert "boil water" not in html and "broken pipes" not in html


def test_an_edit_is_kept_over_a_requeue_and_needs_approval(campaign: Path) -> None:
    run("queue", str(campaign))
    post = pending()[0]
    run("approve", str(post["id"]))
    store = SqliteStore(Path("q.sqlite3"))
    try:
        edit_post(store, post["id"], ["Our own words, checked by the press desk."], by="jo",
                  now=datetime.now(UTC))
    finally:
        store.close()
    again = run("queue", str(campaign))
    assert "0 updated" in again.output  # the edit is not undone (nor the slot its approval moved it to)
    (edited,) = [p for p in pending() if p["id"] == post["id"]]
    assert edited["parts"] == ["Our own words, checked by the press desk."]
    assert edited["changed"] == [{"approved": post["parts"][0], "now": edited["parts"][0]}]


def test_review_policy_in_the_yaml(tmp_path: Path) -> None:
    assert load(write(tmp_path, review="")).review == "off"  # an outbox posts nowhere real
    # the example's outbox-only campaign publishes at once; a real account makes review the default
    assert load(Path(__file__).parent.parent / "configs" / "example.yaml").review == "off"
    real = tmp_path / "real.yaml"
    real.write_text(CONFIG.format(review="", start="2026-12-07 09:00").replace(
        "{platform: outbox, simulate: x, path: outbox}", "{platform: mastodon, instance: https://m.example}"),
        encoding="utf-8")
    assert load(real).review == "required"
    assert load(write(tmp_path, review="review: off")).review == "off"  # YAML's bare off is False
    cfg = load(write(tmp_path, review="review: required\nreviewers: [Ann, Bob]\napprovals: 2"))
    assert (cfg.reviewers, cfg.approvals) == (["Ann", "Bob"], 2)
    with pytest.raises(ConfigError, match="approvals: 3 distinct approvals needed but only 2"):
        load(write(tmp_path, review="reviewers: [Ann, Bob]\napprovals: 3"))
    with pytest.raises(ConfigError, match="review"):
        load(write(tmp_path, review="review: maybe"))


def test_only_named_reviewers_and_n_of_m(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "q.sqlite3"))
    cfg = write(tmp_path, review="review: required\nreviewers: [Ann, Bob, Cy]\napprovals: 2")
    run("queue", str(cfg))
    first = pending()[0]["id"]
    refused = CliRunner().invoke(cli, ["approve", str(first), "--as", "Zed"])
    assert refused.exit_code == 1 and "not one of the campaign's reviewers (Ann, Bob, Cy)" in refused.output
    assert "approval 1 of 2 recorded" in run("approve", str(first), "--as", "ann").output
    assert pending()[0]["approvals"] == ["Ann"]
    assert "approved by Bob" in run("approve", str(first), "--as", "Bob").output
    assert first not in [p["id"] for p in pending()]


def test_build_never_publishes_what_needs_review(campaign: Path, tmp_path: Path) -> None:
    out = run("build", str(campaign))
    assert out.exit_code == 0 and "campaign queue" in out.output and "campaign review" in out.output
    assert not (tmp_path / "outbox").exists() and "published:" not in out.output


def test_review_needs_a_terminal_unless_nothing_waits(campaign: Path) -> None:
    assert run("review", str(campaign)).output == "nothing waits for review\n"
    run("queue", str(campaign))
    out = CliRunner().invoke(cli, ["review", str(campaign)])
    assert out.exit_code == 2 and "needs a terminal" in out.output
