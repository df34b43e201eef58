"""The whole example campaign posted to a fake X through `campaign queue` + `campaign run`,
with a crash in the middle of a thread and a restart: every post exists exactly once.

The example's accounts are replaced by one `platform: x` account pointed at FakeX
(`settings: api_base`), credentials come from environment variables, and the schedule
starts in the past so every post is due at once. An extra long quote makes a 4-part thread.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from tests.fakes.x import FakeX

REPO = Path(__file__).resolve().parent.parent
KEYS = {
    "api_key": "ckE2eKey4Tg8Hn",
    "api_secret": "csE2eSecret6Wd2Qp9Lm",
    "access_token": "1402938475610001-E2eTok7Rf",
    "access_token_secret": "atsE2eSecret1Zb5Xc",
}
LONG_QUOTE = (
    "We have not come to Strasbourg to ask for soldiers. We have come to ask Europe to stand by the "
    "women who are barred from school, by the journalists who are jailed for a sentence, and by the "
    "families who fled their villages in the night. The Taliban promised amnesty and delivered "
    "executions; they promised education and closed the classrooms. Afghans are not asking anyone to "
    "fight for them. They are asking the free world not to lend legitimacy to the people who took "
    "their freedom away, and to keep the door open for a future decided by Afghans themselves."
)
ACCOUNTS_AND_SCHEDULE = """\
accounts:
  nrf_x:
    platform: x
    handle: "@nrf_demo"
    settings:
      api_base: {base}

schedule:
  start: "2020-01-06 09:00"
  end: 30d
  timezone: Europe/Paris
  slots:
    - days: daily
      times: ["09:00", "12:00", "15:00", "18:00"]
  spacing: 1m
  stagger: 0m
"""


def example_for(base: str, folder: Path) -> Path:
    """configs/example.yaml with one X account at `base`, a past schedule and a long extra quote."""
    shutil.copytree(REPO / "configs", folder)
    text = (folder / "example.yaml").read_text(encoding="utf-8")
    text = text[: text.index("\naccounts:")] + "\n" + ACCOUNTS_AND_SCHEDULE.format(base=base)
    text = text.replace(
        "highlights:\n",
        "highlights:\n  extra:\n    - text: " + json.dumps(LONG_QUOTE) + "\n      speaker: Ahmad Massoud\n", 1)
    path = folder / "example.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for field, value in KEYS.items():
        monkeypatch.setenv(f"CAMPAIGN_NRF_X_{field.upper()}", value)
    monkeypatch.setenv("CAMPAIGN_DB", str(tmp_path / "queue.sqlite3"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)  # `queue` renders the cards under ./campaign-out
    return dict(os.environ)


def cli_json(*args: str) -> object:
    r = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def queue(config: Path) -> list[dict]:
    r = CliRunner().invoke(cli, ["queue", str(config)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    # a real account: a reviewer signs off first (its slots have passed: out now)
    r = CliRunner().invoke(cli, ["approve", "--campaign", "nrf-strasbourg", "--all", "--now", "--as", "press"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    jobs = cli_json("jobs")
    assert isinstance(jobs, list)
    return jobs


def thread_of(jobs: list[dict]) -> list[dict]:
    parts = sorted((j for j in jobs if j["parts"] > 1), key=lambda j: j["part"])
    assert len(parts) >= 3, "the long quote should make a thread"
    return parts


def assert_each_posted_once(srv: FakeX, jobs: list[dict]) -> None:
    done = cli_json("jobs")
    assert isinstance(done, list)
    assert [j["status"] for j in done] == ["succeeded"] * len(jobs), [j["last_error"] for j in done]
    for job in done:
        on_server = srv.by_text(job["text"])
        assert len(on_server) == 1, f"job #{job['id']} is on the server {len(on_server)} times"
        assert on_server[0].id == job["remote_id"]
    assert len(srv.posts) == len(jobs)
    parts = thread_of(done)
    assert srv.post(parts[0]["remote_id"]).in_reply_to is None
    for before, after in zip(parts, parts[1:], strict=False):
        assert srv.post(after["remote_id"]).in_reply_to == before["remote_id"]
    assert srv.post(parts[0]["remote_id"]).media_ids, "the card goes on the first part"
    assert all(srv.media[m].alt for t in srv.posts for m in t.media_ids), "every image has alt text"


def test_crash_in_the_middle_of_a_thread_then_restart(env: dict[str, str], tmp_path: Path) -> None:
    with FakeX(keys=KEYS) as srv:
        config = example_for(srv.url, tmp_path / "project")
        jobs = queue(config)
        parts = thread_of(jobs)
        srv.stall_after_posting(parts[2]["text"])  # part 3 lands; its answer never comes back
        proc = subprocess.Popen([sys.executable, "-m", "campaign", "run", "--once", "--lease", "3s"],
                                env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            reached = srv.landed.wait(30)
        finally:
            proc.send_signal(signal.SIGKILL)  # a crash: no clean-up, no chance to record the post
            out = proc.communicate(timeout=10)[0].decode()
            srv.release.set()
        assert reached, f"the worker never reached part 3 of the thread:\n{out}"
        assert proc.returncode == -signal.SIGKILL, out
        assert len(srv.by_text(parts[2]["text"])) == 1 and not srv.by_text(parts[3]["text"])
        mid = {j["id"]: j["status"] for j in cli_json("jobs")}  # type: ignore[union-attr]
        assert mid[parts[2]["id"]] == "doing"

        r = CliRunner().invoke(cli, ["run", "--once"], catch_exceptions=False)  # the restart
        assert r.exit_code == 0, r.output
        assert "found already posted 1" in r.output or "reconciled" in r.output
        assert_each_posted_once(srv, jobs)
        for secret in KEYS.values():
            assert secret not in out + r.output


def test_a_lost_answer_in_a_thread_is_reconciled_not_reposted(env: dict[str, str], tmp_path: Path) -> None:
    with FakeX(keys=KEYS) as srv:
        config = example_for(srv.url, tmp_path / "project")
        jobs = queue(config)
        parts = thread_of(jobs)
        srv.drop_after_posting(parts[1]["text"])  # part 2 is created, the connection drops
        r = CliRunner().invoke(cli, ["run", "--once"], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        assert len(srv.by_text(parts[1]["text"])) == 1
        state = {j["id"]: j for j in cli_json("jobs")}  # type: ignore[union-attr]
        assert state[parts[1]["id"]]["status"] == "todo"  # waiting for its retry, which must look first
        assert "may have landed" in state[parts[1]["id"]]["last_error"]
        # the restart, once the retry is due
        r = CliRunner().invoke(cli, ["reschedule", str(parts[1]["id"]), "--at", "now"], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        r = CliRunner().invoke(cli, ["run", "--once"], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        assert_each_posted_once(srv, jobs)
        assert not [req for req in srv.received("POST", "/2/tweets")
                    if req.json()["text"] == parts[1]["text"]][1:], "part 2 was sent again"
