"""Issue 14, section 5, at the queue: poisoned rows fail alone, a damaged database is a one-line
error, numbers near 2**63 are no overflow, `--poll 0s` does not spin."""

from __future__ import annotations

import os
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli
from campaign.publish import worker as worker_mod
from campaign.queue import open_store
from tests.helpers import T0, Clock, Scripted, make_draft, queue, worker


def _invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def _poisoned_queue(tmp_path: Path) -> Path:
    db = tmp_path / "q.sqlite3"
    store = open_store(db)
    queue(store, [make_draft("h1"), make_draft("h2"), make_draft("h3")])
    store.close()
    c = sqlite3.connect(db)
    ids = [r[0] for r in c.execute("SELECT id FROM jobs ORDER BY run_at, id")]
    c.execute("UPDATE jobs SET draft = '{not json' WHERE id = ?", (ids[0],))
    c.execute("UPDATE jobs SET run_at = '2000-13-45T00:00:00Z' WHERE id = ?", (ids[1],))
    c.commit()
    c.close()
    return db


def test_a_poisoned_row_fails_alone_and_the_queue_goes_on(tmp_path: Path) -> None:
    db = _poisoned_queue(tmp_path)
    store = open_store(db)
    try:
        adapter = Scripted()
        clock = Clock(T0 + timedelta(days=1))
        report = worker(store, adapter, clock).run(once=True)
        assert report.succeeded == 1
        jobs = {j.highlight_id: j for j in store.jobs()}
        assert jobs["h3"].status == "succeeded"
        for hid in ("h1", "h2"):
            assert jobs[hid].status == "failed"
            assert (jobs[hid].last_error or "").startswith("unreadable job in the queue")
        assert store.get(jobs["h1"].id).draft.parts == ("(unreadable draft)",)
    finally:
        store.close()


def test_listing_a_queue_with_poisoned_rows_works(tmp_path: Path) -> None:
    db = _poisoned_queue(tmp_path)
    for args in (["jobs"], ["jobs", "--json"], ["status"], ["log", "1"]):
        code, _, err = _invoke(*args, "--db", str(db))
        assert code == 0, (args, err)


def test_a_damaged_database_is_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store = open_store(db)
    queue(store, [make_draft(f"h{i}", parts=("x" * 2000,)) for i in range(40)])
    store.close()
    size = db.stat().st_size
    with db.open("r+b") as f:  # pages after the header: the schema still reads, the data does not
        f.seek(4096)
        f.write(os.urandom(size - 4096))
    for args in (["run", "--once"], ["jobs"], ["status"]):
        code, _, err = _invoke(*args, "--db", str(db))
        assert code in (1, 2), (args, code, err)
        assert "internal error" not in err and err.startswith("error: "), err
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("message", ["attempt to write a readonly database", "database or disk is full"])
def test_a_read_only_or_full_database_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          message: str) -> None:
    db = tmp_path / "q.sqlite3"
    open_store(db).close()

    def fail(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError(message)

    monkeypatch.setattr("campaign.queue.sqlite.SqliteStore.claim", fail)
    code, _, err = _invoke("run", "--once", "--db", str(db))
    assert code == 1, err
    assert err.startswith(f"error: the queue database: {message}"), err


@pytest.mark.parametrize("n", [str(2**63), str(2**64), "9" * 30])
def test_limits_near_2_to_the_63_are_no_overflow(tmp_path: Path, n: str) -> None:
    db = tmp_path / "q.sqlite3"
    store = open_store(db)
    queue(store, [make_draft("h1")])
    store.close()
    code, out, err = _invoke("jobs", "--limit", n, "--db", str(db))
    assert code == 0, err


@pytest.mark.parametrize("flag", ["--lease", "--backoff", "--poll"])
@pytest.mark.parametrize("value", [f"{2**63}s", f"{2**63}d", "106751991167301d"])
def test_durations_near_2_to_the_63_are_refused(tmp_path: Path, flag: str, value: str) -> None:
    code, _, err = _invoke("run", "--once", flag, value, "--db", str(tmp_path / "q.sqlite3"))
    assert code == 2, err
    assert "internal error" not in err


def test_poll_zero_does_not_spin(store) -> None:  # type: ignore[no-untyped-def]
    waits: list[float] = []
    w = worker(store, Scripted(), Clock())

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= 5:
            w.stop.set()

    w.run(poll=timedelta(0), sleep=sleep)
    assert waits and min(waits) >= worker_mod.MIN_POLL


@pytest.mark.parametrize("value", ["outbox", [1, 2], {"platform": "outbox", "rate_limit": {"posts": 0, "per": "1h"}}])
def test_an_account_stored_as_a_string_or_list_fails_alone(tmp_path: Path, value: object) -> None:
    import json

    from campaign.publish.worker import run

    if isinstance(value, dict):
        value = {**value, "path": str(tmp_path / "out")}

    db = tmp_path / "q.sqlite3"
    store = open_store(db)
    accounts = {"good": {"platform": "outbox", "path": str(tmp_path / "out")},
                "bad": {"platform": "outbox", "path": str(tmp_path / "out")}}
    queue(store, [make_draft("h1", account="good"), make_draft("h2", account="bad")], accounts=accounts)
    store.close()
    c = sqlite3.connect(db)
    stored = json.loads(c.execute("SELECT accounts FROM campaigns").fetchone()[0])
    stored["bad"] = value
    c.execute("UPDATE campaigns SET accounts = ?", (json.dumps(stored),))
    c.commit()
    c.close()
    store = open_store(db)
    try:
        report = run(store, now=Clock(T0 + timedelta(days=1)), once=True, handle_signals=False)
        jobs = {j.account: j for j in store.jobs()}
        assert jobs["good"].status == "succeeded"
        if isinstance(value, dict):
            assert jobs["bad"].status == "succeeded"  # a rate limit of 0 is ignored, not a block
        else:
            assert jobs["bad"].status in ("failed", "todo")
            assert "stored as a" in (jobs["bad"].last_error or "")
        assert report.succeeded >= 1
    finally:
        store.close()


@pytest.mark.parametrize("command", ["log", "cancel", "retry"])
def test_job_ids_near_2_to_the_64_are_a_one_line_error(tmp_path: Path, command: str) -> None:
    db = tmp_path / "q.sqlite3"
    open_store(db).close()
    code, _, err = _invoke(command, str(2**64), "--db", str(db))
    assert code == 2, err
    assert err.startswith("error: ") and "internal error" not in err


def test_a_poisoned_run_at_in_the_future_does_not_stop_the_loop(tmp_path: Path) -> None:
    db = tmp_path / "q.sqlite3"
    store = open_store(db)
    queue(store, [make_draft("h1")])
    store.close()
    c = sqlite3.connect(db)
    c.execute("UPDATE jobs SET run_at = '9999-99-99T00:00:00Z'")
    c.commit()
    c.close()
    store = open_store(db)
    try:
        assert store.next_wake(now=T0) is None
    finally:
        store.close()
