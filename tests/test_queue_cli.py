"""The CLI over the queue: plan, queue (re-queue idempotency), status, jobs, log, run, cancel, retry, reschedule.

The pipeline is replaced by a small fake (drafts from the config), so these tests
exercise the queue and its commands, not the extraction or the cards.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

import campaign.pipeline
from campaign.cli import cli
from campaign.config import CampaignConfig
from campaign.models import Draft, MediaRef

CONFIG = """
campaign: {{name: Test, slug: test, timezone: Europe/Paris}}
article: {{source: article.txt, title: "{title}"}}
accounts:
  one: {{platform: outbox, simulate: x}}
  two: {{platform: outbox, simulate: mastodon}}
schedule:
  start: now
  end: 30d
  slots: [{{days: daily, times: ["09:00", "18:00"]}}]
  spacing: 2h
  stagger: 10m
"""


def fake_build(cfg: CampaignConfig, *, out_dir: Path | None = None, cards: bool = True, jobs: int = 1) -> Any:
    base = cfg.base_dir
    card = base / "card.png"
    card.write_bytes(b"\x89PNG card")
    drafts = []
    for hid in ("aaaa1111", "bbbb2222", "cccc3333"):
        for acct, a in cfg.enabled_accounts().items():
            parts = (f"{cfg.article.title} {hid}",) if hid != "cccc3333" else (f"{cfg.article.title} 1/2", "2/2")
            drafts.append(Draft(hid, acct, a.platform, parts, tuple(len(p) for p in parts), 280,
                                media=(MediaRef(str(card), "a card"),) if cards else ()))
    return SimpleNamespace(article=None, highlights=[], drafts=drafts, cards=[])


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(campaign.pipeline, "build", fake_build)
    (tmp_path / "article.txt").write_text("An article.\n")
    cfg = tmp_path / "campaign.yaml"
    cfg.write_text(CONFIG.format(title="Title"))
    db = tmp_path / "q.sqlite3"
    return {"cfg": cfg, "db": db, "dir": tmp_path}


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_plan_json(env: dict[str, Any]) -> None:
    r = invoke("plan", str(env["cfg"]), "--json")
    assert r.exit_code == 0, r.output
    posts = json.loads(r.output)
    assert len(posts) == 8  # 2 accounts × (2 single posts + a 2-part thread)
    assert {p["account"] for p in posts} == {"one", "two"}
    assert all(p["zone"] == "Europe/Paris" and p["at"].endswith("+00:00") for p in posts)
    r = invoke("plan", str(env["cfg"]))
    assert r.exit_code == 0 and "aaaa1111" in r.output


def test_queue_twice_adds_nothing_and_edits_update(env: dict[str, Any]) -> None:
    cfg, db = str(env["cfg"]), str(env["db"])
    r = invoke("queue", cfg, "--db", db)
    assert r.exit_code == 0, r.output
    assert "8 added" in r.output
    r = invoke("queue", cfg, "--db", db, "--json")
    assert json.loads(r.output)["counts"] == {"unchanged": 8}  # `start: now` was anchored
    env["cfg"].write_text(CONFIG.format(title="New title"))
    r = invoke("queue", cfg, "--db", db, "--json")
    assert json.loads(r.output)["counts"] == {"updated": 6, "unchanged": 2}  # the "2/2" parts did not change
    r = invoke("jobs", "--db", db, "--json")
    texts = {j["text"] for j in json.loads(r.output)}
    assert "New title aaaa1111" in texts and "Title aaaa1111" not in texts


def test_run_once_publishes_due_posts_to_the_outbox(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(env["db"])
    assert invoke("queue", str(env["cfg"]), "--db", db).exit_code == 0
    jobs = json.loads(invoke("jobs", "--db", db, "--json").output)
    first = min(jobs, key=lambda j: j["run_at"])
    assert invoke("reschedule", str(first["id"]), "--at", "now", "--db", db).exit_code == 0
    r = invoke("run", "--once", "--db", db)
    assert r.exit_code == 0, r.output
    assert "sent 1" in r.output
    files = list((env["dir"] / "campaign-out" / "test" / "outbox" / first["account"]).glob("*.json"))
    assert len(files) == 1
    post = json.loads(files[0].read_text())
    assert post["text"] == first["text"] and post["media"][0]["alt"] == "a card"
    status = json.loads(invoke("status", "--db", db, "--json").output)
    assert status["counts"]["succeeded"] == 1 and status["counts"]["todo"] == 7
    log = invoke("log", str(first["id"]), "--db", db)
    assert [w for w in ("queued", "rescheduled", "started", "succeeded") if w in log.output] == [
        "queued", "rescheduled", "started", "succeeded"]
    dry = invoke("run", "--dry-run", "--db", db)
    assert dry.exit_code == 0 and "0 post(s) due now" in dry.output


def test_cancel_retry_and_errors(env: dict[str, Any]) -> None:
    db = str(env["db"])
    invoke("queue", str(env["cfg"]), "--db", db)
    jobs = json.loads(invoke("jobs", "--db", db, "--json").output)
    thread = [j for j in jobs if j["highlight_id"] == "cccc3333" and j["account"] == "one"]
    head = min(thread, key=lambda j: j["part"])
    r = invoke("cancel", str(head["id"]), "--db", db)
    assert r.exit_code == 0 and "cancelled 2 job(s)" in r.output
    r = CliRunner().invoke(cli, ["cancel", str(head["id"]), "--db", db])
    assert r.exit_code == 1 and "error: cannot cancel job" in r.output
    assert invoke("retry", str(head["id"]), "--db", db).exit_code == 0
    assert json.loads(invoke("jobs", "--db", db, "--state", "cancelled", "--json").output) == []
    r = CliRunner().invoke(cli, ["reschedule", str(head["id"]), "--at", "soonish", "--db", db])
    assert r.exit_code == 1 and "--at" in r.output
    r = invoke("cancel", "--campaign", "test", "--db", db)
    assert "cancelled 8 job(s)" in r.output
    r = CliRunner().invoke(cli, ["log", "999", "--db", db])
    assert r.exit_code == 1 and "no job #999" in r.output


def test_db_from_environment(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_DB", str(env["db"]))
    assert invoke("queue", str(env["cfg"])).exit_code == 0
    assert env["db"].exists()
    assert json.loads(invoke("status", "--json").output)["counts"]["todo"] == 8


def test_queue_now_then_run_once_sends_everything(env: dict[str, Any]) -> None:
    db = str(env["db"])
    r = invoke("run", "--once", "--config", str(env["cfg"]), "--now", "--db", db)
    assert r.exit_code == 0, r.output
    assert "sent 8" in r.output and f"posts written to {env['dir'] / 'campaign-out' / 'test' / 'outbox'}" in r.output
    posts = [json.loads(p.read_text()) for p in (env["dir"] / "campaign-out" / "test" / "outbox").glob("*/*.json")]
    assert len(posts) == 8
    replies = [p for p in posts if p["text"] == "2/2"]
    assert len(replies) == 2 and all(p["reply_to"] for p in replies)
    r = invoke("queue", str(env["cfg"]), "--db", db, "--json")  # back to the planned times: all sent, left alone
    assert json.loads(r.output)["counts"] == {"sent": 8}


def test_retry_failed_after_fixing_credentials(env: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(env["db"])
    monkeypatch.setenv("CAMPAIGN_OUTBOX_FAIL", "permanent:1")  # every post refused, like revoked keys
    invoke("run", "--once", "--config", str(env["cfg"]), "--now", "--db", db)
    assert json.loads(invoke("status", "--json", "--db", db).stdout)["counts"]["failed"] == 8, invoke("jobs", "--db", db).output
    monkeypatch.delenv("CAMPAIGN_OUTBOX_FAIL")
    r = invoke("retry", "--failed", "--account", "one", "--db", db)
    assert r.exit_code == 0 and "queued 3 failed job(s) again" in r.output  # a thread's 2nd part comes along
    counts = json.loads(invoke("status", "--json", "--db", db).stdout)["counts"]
    assert counts["todo"] == 4 and counts["failed"] == 4
    assert "sent 4" in invoke("run", "--once", "--db", db).output
    r = CliRunner().invoke(cli, ["retry", "--db", db])
    assert r.exit_code == 2 and "give a JOB id or --failed" in r.output
