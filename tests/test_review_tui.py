"""`campaign review` driven in a real terminal (tmux, 80×24, keys only): open a card, approve two
posts, reject one with a note, edit one in an editor stand-in, quit; the queue shows exactly that."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.queue.sqlite import SqliteStore
from tests.helpers import REVIEW_TUI_ARTICLE as ARTICLE

CONFIG = """campaign: {name: Water, slug: water, timezone: Europe/Paris}
article: {source: a.txt, url: https://example.org/water}
highlights: {auto: {count: 4, min_length: 30}}
review: required
accounts:
  town_x: {platform: outbox, simulate: x}
schedule:
  start: "2030-01-07 09:00"
  slots: [{days: daily, times: ["09:00", "13:00", "18:00"]}]
"""
EDITED = "Edited by the press desk: the water will be safe, and we will say when."

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/test installs it)")


class Terminal:
    """A tmux session of its own server (socket), 80×24."""

    def __init__(self, socket: str, command: str) -> None:
        self.base = ["tmux", "-L", socket, "-f", os.devnull]
        subprocess.run([*self.base, "new-session", "-d", "-s", "t", "-x", "80", "-y", "24", command], check=True)

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", "t"], check=True,
                              capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *keys], check=True)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], check=False, capture_output=True)


@pytest.fixture
def terminal_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(CONFIG, encoding="utf-8")
    db = tmp_path / "q.sqlite3"
    monkeypatch.setenv("CAMPAIGN_DB", str(db))
    out = CliRunner().invoke(cli, ["queue", "c.yaml"], catch_exceptions=False)
    assert "4 post(s) pending" in out.output, out.output
    editor, opener = tmp_path / "editor.sh", tmp_path / "opener.sh"
    editor.write_text(f"#!/bin/sh\nprintf '%s\\n' {shlex.quote(EDITED)} > \"$1\"\n", encoding="utf-8")
    opener.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> {shlex.quote(str(tmp_path / 'opened.txt'))}\n",
                      encoding="utf-8")
    editor.chmod(0o755)
    opener.chmod(0o755)
    yield {"db": db, "editor": editor, "opener": opener, "root": tmp_path}


def test_review_in_a_real_terminal(terminal_env: dict[str, Path], tmp_path: Path) -> None:
    env = {"CAMPAIGN_DB": terminal_env["db"], "CAMPAIGN_REVIEWER": "amina", "EDITOR": terminal_env["editor"],
           "CAMPAIGN_OPENER": terminal_env["opener"], "TERM": "xterm-256color", "HOME": tmp_path,
           "PYTHONPATH": Path(__file__).resolve().parent.parent}
    command = (f"cd {shlex.quote(str(tmp_path))} && env "
               + " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items())
               + f" {shlex.quote(sys.executable)} -m campaign review c.yaml; echo EXIT=$?; sleep 60")
    store = SqliteStore(terminal_env["db"])
    order = [p.id for p in _posts(store)]
    assert len(order) == 4
    term = Terminal(f"campaign-review-{os.getpid()}", command)
    try:
        term.wait_for(f"#{order[0]}  town_x (x)")
        screen = term.wait_for("q Quit")
        lines = screen.splitlines()
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
        for shown in ("pending 0/1", "/280 ──", "Card:", "Alt:", "Source:", "a Approve", "r Reject",
                      "e Edit", "o Open card", "q Quit"):
            assert shown in screen, shown
        term.keys("o")
        term.wait_for("opened the card ")
        term.keys("a")
        term.wait_for(f"#{order[0]} approved")
        term.wait_for(f"#{order[1]}  town_x (x)")
        term.keys("a")
        term.wait_for(f"#{order[1]} approved")
        term.wait_for(f"#{order[2]}  town_x (x)")
        term.keys("r")
        term.wait_for("why? (Enter rejects, Esc cancels)")
        term.keys("-l", "Wrong speaker: check the recording")
        term.keys("Enter")
        term.wait_for(f"#{order[2]} rejected")
        term.keys("e")
        screen = term.wait_for(f"#{order[3]} edited")
        assert "Edited by the press desk" in screen
        term.keys("q")
        screen = term.wait_for("EXIT=0")
        assert f"approved 2 (#{order[0]}, #{order[1]}), rejected 1 (#{order[2]}), edited 1 (#{order[3]})" in screen
    finally:
        term.close()
    opened = (tmp_path / "opened.txt").read_text(encoding="utf-8").split()
    assert opened == [store.get(order[0]).draft.media[0].path]
    reviews = {i: store.get(i) for i in order}
    assert [reviews[i].review for i in order] == ["approved", "approved", "rejected", "pending"]
    assert all(reviews[i].approvals == ("amina",) for i in order[:2])
    rejected = store.events(order[2])[-1]
    assert (rejected.kind, rejected.owner, rejected.detail) == ("rejected", "amina", "Wrong speaker: check the recording")
    assert reviews[order[3]].draft.text == EDITED
    edited = store.get(order[3])
    assert store.overrides("water") == {(edited.account, edited.highlight_id): (EDITED,)}
    assert [j.status for j in store.jobs()] == ["todo"] * 4  # nothing sent, nothing else changed
    store.close()
    again = CliRunner().invoke(cli, ["queue", "c.yaml"], catch_exceptions=False)  # the edit survives
    assert "0 updated" in again.output
    store = SqliteStore(terminal_env["db"])
    assert store.get(order[3]).draft.text == EDITED
    assert [store.get(i).review for i in order] == ["approved", "approved", "rejected", "pending"]
    store.close()


def _posts(store: SqliteStore) -> list:
    from campaign.review import pending_posts

    return pending_posts(store)
