"""Day two of a campaign, through the CLI: retry, reschedule, edit and re-queue (issue 15).

Threads stay threads (retried and moved whole, listed in order), the organizer's edits by
hand survive a re-queue unless `--replan`, and the small things: a past `--at` warns, an
unknown campaign is named, several campaigns are told apart, `log` speaks the campaign's zone.
The pipeline is replaced by a small fake (drafts from the config), as in test_queue_cli.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

import campaign.pipeline
from campaign.cli import cli
from campaign.config import CampaignConfig
from campaign.models import Draft

CONFIG = """
campaign: {{name: Test, slug: {slug}, timezone: Asia/Tokyo}}
article: {{source: article.txt, title: "{title}"}}
accounts:
  one: {{platform: outbox, simulate: x}}
schedule:
  start: now
  end: 30d
  slots: [{{days: daily, times: ["09:00", "18:00"]}}]
  spacing: 2h
"""


def fake_build(cfg: CampaignConfig, *, out_dir: Path | None = None, cards: bool = True, jobs: int = 1) -> Any:
    title = cfg.article.title
    drafts = [Draft("aaaa1111", "one", "outbox", (f"{title} single",), (10,), 280),
              Draft("tttt0000", "one", "outbox", (f"{title} 1/3", "2/3", "3/3"), (8, 3, 3), 280),
              Draft("bbbb2222", "one", "outbox", (f"{title} other",), (10,), 280)]
    return SimpleNamespace(article=None, highlights=[], drafts=drafts, cards=[])


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(campaign.pipeline, "build", fake_build)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.txt").write_text("An article.\n")
    cfg = tmp_path / "campaign.yaml"
    cfg.write_text(CONFIG.format(title="Title", slug="test"))
    return {"cfg": cfg, "db": str(tmp_path / "q.sqlite3"), "dir": tmp_path}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def fails(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def jobs(db: str) -> list[dict[str, Any]]:
    return json.loads(invoke("jobs", "--db", db, "--json").output)


def thread(db: str) -> list[dict[str, Any]]:
    return sorted((j for j in jobs(db) if j["highlight_id"] == "tttt0000"), key=lambda j: j["part"])


def near_now(iso: str) -> bool:
    return abs(datetime.fromisoformat(iso) - datetime.now(UTC)) < timedelta(minutes=1)


# --- threads stay threads --------------------------------------------------------------------


def test_retry_of_a_threads_first_part_requeues_and_sends_the_whole_thread(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    head = thread(db)[0]
    assert "cancelled 3 job(s)" in invoke("cancel", str(head["id"]), "--db", db).output
    r = invoke("retry", str(head["id"]), "--db", db)
    assert r.exit_code == 0 and "with its thread, in order" in r.output
    assert [line.split()[1] for line in r.output.splitlines()[1:]] == ["1/3", "2/3", "3/3"]
    assert all(j["status"] == "todo" and near_now(j["run_at"]) for j in thread(db))
    r = invoke("run", "--once", "--db", db)
    assert "sent 3" in r.output, r.output  # the whole thread, now, in order


def test_reschedule_of_a_later_part_moves_the_whole_thread(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    part2 = thread(db)[1]
    r = invoke("reschedule", str(part2["id"]), "--at", "now", "--db", db)
    assert r.exit_code == 0 and f"#{part2['id']} moved with its thread, in order" in r.output
    assert [j["part"] for j in thread(db)] == [0, 1, 2] and all(near_now(j["run_at"]) for j in thread(db))
    listed = [(j["highlight_id"], j["part"]) for j in jobs(db)]
    assert listed.index(("tttt0000", 0)) < listed.index(("tttt0000", 1)) < listed.index(("tttt0000", 2))
    r = invoke("run", "--once", "--db", db)
    assert "sent 3" in r.output, r.output


def test_jobs_and_status_never_show_a_part_ahead_of_its_previous_part(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    first, second, third = thread(db)
    with sqlite3.connect(db) as conn:  # a queue written by an older version: part 2 due before part 1
        conn.execute("UPDATE jobs SET run_at = '2000-01-01T00:00:00.000000Z' WHERE id IN (?, ?)",
                     (second["id"], third["id"]))
    ids = [j["id"] for j in jobs(db)]
    assert ids.index(first["id"]) < ids.index(second["id"]) < ids.index(third["id"])
    table = invoke("jobs", "--db", db).output.splitlines()[1:]
    parts = [line.split("\t")[3] for line in table if line.split("\t")[3]]
    assert parts == ["1/3", "2/3", "3/3"]
    status = json.loads(invoke("status", "--db", db, "--json").output)
    assert second["id"] not in [j["id"] for j in status["next"]]


# --- the organizer's edits are kept ------------------------------------------------------------


def test_requeue_keeps_a_reschedule_and_a_cancel_unless_replan(env: dict[str, Any]) -> None:
    db, cfg = env["db"], str(env["cfg"])
    invoke("queue", cfg, "--db", db)
    single = next(j for j in jobs(db) if j["highlight_id"] == "aaaa1111")
    other = next(j for j in jobs(db) if j["highlight_id"] == "bbbb2222")
    invoke("reschedule", str(single["id"]), "--at", "2099-01-01 10:00", "--db", db)
    invoke("cancel", str(other["id"]), "--db", db)
    env["cfg"].write_text(CONFIG.format(title="Edited", slug="test"))
    r = invoke("queue", cfg, "--db", db)
    assert r.exit_code == 0, r.output
    assert "2 updated" in r.output.splitlines()[0]  # the drafts follow the edit (the later parts did not change) ...
    by_id = {j["id"]: j for j in jobs(db)}
    assert by_id[single["id"]]["local_time"] == "Thu 2099-01-01 10:00 JST"  # ... the time moved by hand stays
    assert by_id[single["id"]]["text"] == "Edited single"
    assert by_id[other["id"]]["status"] == "cancelled"  # and so does the cancel
    assert f"updated #{single['id']}: draft edited; moved by hand; its time is kept" in r.output
    assert f"kept #{other['id']}: cancelled by hand; not queued again" in r.output
    r = invoke("queue", cfg, "--db", db, "--replan")
    assert f"updated #{single['id']}: moved by hand; back at its plan slot (--replan)" in r.output
    assert f"requeued #{other['id']}: cancelled by hand; queued again at its plan slot (--replan)" in r.output
    by_id = {j["id"]: j for j in jobs(db)}
    assert by_id[single["id"]]["run_at"] == single["run_at"] and by_id[other["id"]]["status"] == "todo"


def test_every_command_writes_beside_the_yaml_whatever_the_working_folder(
        env: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    db = env["db"]
    r = invoke("run", "--once", "--now", "--config", str(env["cfg"]), "--db", db)
    out = env["dir"] / "campaign-out" / "test"
    assert r.exit_code == 0 and f"posts written to {out / 'outbox'}" in r.output, r.output
    assert len(list((out / "outbox" / "one").glob("*.json"))) == 5
    assert not (elsewhere / "campaign-out").exists() and not (env["dir"] / "outbox").exists()
    env["cfg"].write_text(CONFIG.format(title="Title", slug="other") + "output: shared-out\n")
    invoke("run", "--once", "--now", "--config", str(env["cfg"]), "--db", db)
    assert len(list((env["dir"] / "shared-out" / "outbox" / "one").glob("*.json"))) == 5


# --- small things ------------------------------------------------------------------------------


def test_reschedule_into_the_past_warns(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    single = next(j for j in jobs(db) if j["highlight_id"] == "aaaa1111")
    r = invoke("reschedule", str(single["id"]), "--at", "2020-01-01 09:00", "--db", db)
    assert r.exit_code == 0
    assert "warning: Wed 2020-01-01 09:00 JST is in the past: the post goes out at the next `campaign run`" \
        in r.output
    assert "warning" not in invoke("reschedule", str(single["id"]), "--at", "now", "--db", db).output


def test_retry_failed_of_an_unknown_campaign_or_account_says_so(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    r = fails("retry", "--failed", "--campaign", "nope", "--db", db)
    assert r.exit_code == 1 and "no campaign 'nope' in the queue (queued: test)" in r.output
    r = fails("retry", "--failed", "--account", "nobody", "--db", db)
    assert r.exit_code == 1 and "no account 'nobody' in the queue (accounts: one)" in r.output
    assert invoke("retry", "--failed", "--campaign", "test", "--db", db).output.startswith("queued 0")


def test_jobs_and_status_name_the_campaign_when_the_queue_holds_several(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    assert "campaign" not in invoke("jobs", "--db", db).output.splitlines()[0].split("\t")
    second = env["dir"] / "second.yaml"
    second.write_text(CONFIG.format(title="Second", slug="second"))
    invoke("queue", str(second), "--db", db)
    head = invoke("jobs", "--db", db).output.splitlines()
    assert head[0].split("\t")[2] == "campaign"
    assert {line.split("\t")[2] for line in head[1:]} == {"test", "second"}
    assert "campaign" not in invoke("jobs", "--db", db, "--campaign", "test").output.splitlines()[0].split("\t")
    status = invoke("status", "--db", db).output
    assert "campaign" in next(line for line in status.splitlines() if line.startswith("id")).split("\t")


def test_log_tells_every_time_in_the_campaigns_zone(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    single = next(j for j in jobs(db) if j["highlight_id"] == "aaaa1111")
    invoke("reschedule", str(single["id"]), "--at", "2099-01-01 10:00", "--db", db)
    out = invoke("log", str(single["id"]), "--db", db).output
    assert "-> Thu 2099-01-01 10:00 JST" in out
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", out), out  # no raw UTC time left


def test_cards_pack_and_build_write_beside_the_yaml_or_where_output_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    (project / "article.txt").write_text(
        "Rally\n\n\"We will keep marching until every prisoner is free,\" said Jane Doe, an organizer.\n",
        encoding="utf-8")
    yaml = project / "c.yaml"
    yaml.write_text("campaign: {name: Rally, slug: rally, timezone: UTC}\narticle: {source: article.txt}\n"
                    "accounts: {local: {platform: outbox, simulate: mastodon}}\n", encoding="utf-8")
    out = project / "campaign-out" / "rally"
    r = invoke("cards", str(yaml))
    assert r.exit_code == 0 and f"to {out / 'cards'}" in r.output, r.output
    r = invoke("pack", str(yaml))
    assert r.exit_code == 0 and str(out / "pack" / "index.html") in r.output
    r = invoke("build", str(yaml))
    assert r.exit_code == 0 and f"pack:       {out / 'pack' / 'index.html'}" in r.output, r.output
    assert len(list((out / "outbox" / "local").glob("*.json"))) == 1
    assert list(elsewhere.iterdir()) == []
    yaml.write_text(yaml.read_text(encoding="utf-8") + "output: site\n", encoding="utf-8")
    assert str(project / "site" / "pack" / "index.html") in invoke("pack", str(yaml)).output


# --- found in the acceptance pass: a thread is cancelled whole ----------------------------------


def test_cancel_of_a_later_part_cancels_the_whole_thread(env: dict[str, Any]) -> None:
    db = env["db"]
    invoke("queue", str(env["cfg"]), "--db", db)
    first, second, third = thread(db)
    r = invoke("cancel", str(second["id"]), "--db", db)
    assert r.exit_code == 0 and f"cancelled 3 job(s): #{first['id']}, #{second['id']}, #{third['id']}" in r.output
    assert [j["status"] for j in thread(db)] == ["cancelled"] * 3  # no "1/3" goes out alone
    r = invoke("run", "--once", "--db", db)
    assert "1/3" not in r.output, r.output
    r = invoke("retry", str(second["id"]), "--db", db)
    assert r.exit_code == 0 and [j["status"] for j in thread(db)] == ["todo"] * 3
