"""A server that does not answer: the account's other jobs wait for the next run; `run --once`
says by its exit status when a post failed; `status` names a thread part only once the part
before it went out."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from campaign.cli import cli
from campaign.errors import AuthError, RejectedError, TransientError
from campaign.models import RemoteRef
from campaign.publish.adapters.base import AdapterContext
from campaign.publish.adapters.mastodon import MastodonAdapter
from campaign.publish.worker import Worker, unreachable
from campaign.queue.store import next_due
from tests.fakes.mastodon import TOKEN, FakeMastodon
from tests.helpers import T0, Clock, Scripted, make_draft, queue

ACCOUNTS = {"slow": {"platform": "outbox"}, "fine": {"platform": "outbox"}}


def _timeout() -> TransientError:
    return TransientError("no answer", ambiguous=True, unreachable=True, account="slow")


def _two_accounts(store, slow: int = 5, fine: int = 2) -> None:
    drafts = [make_draft(f"s{i}", account="slow") for i in range(slow)]
    drafts += [make_draft(f"f{i}", account="fine") for i in range(fine)]
    queue(store, drafts, accounts=ACCOUNTS)


def test_an_account_that_does_not_answer_is_deferred_after_two(store):
    _two_accounts(store)
    slow, fine = Scripted(script=[_timeout()] * 10), Scripted()
    events: list[tuple[str, str]] = []
    clock = Clock(T0 + timedelta(hours=1))
    w = Worker(store, lambda job: slow if job.account == "slow" else fine, now=clock, limits={},
               on_event=lambda kind, job, detail: events.append((kind, job.account)))
    report = w.run(once=True, sleep=clock.sleep)
    assert len(slow.calls) == 2  # not one timeout per due post
    assert report.succeeded == 2 and report.failed == 0 and report.retried == 2
    assert list(report.deferred) == ["slow"] and "2 timeouts or connection failures" in report.deferred["slow"]
    assert ("deferred", "slow") in events
    jobs = {j.highlight_id: j for j in store.jobs()}
    untouched = [jobs[f"s{i}"] for i in range(2, 5)]
    assert all(j.status == "todo" and j.attempts == 0 and j.last_error is None for j in untouched)
    assert [jobs[f"s{i}"].attempts for i in range(2)] == [1, 1]
    assert all(jobs[f"f{i}"].status == "succeeded" for i in range(2))


def test_the_next_run_tries_the_deferred_account_again(store):
    _two_accounts(store, slow=3, fine=0)
    down = Scripted(script=[_timeout(), _timeout()])
    clock = Clock(T0 + timedelta(hours=1))
    Worker(store, lambda job: down, now=clock, limits={}).run(once=True, sleep=clock.sleep)
    assert len(down.calls) == 2
    clock.t += timedelta(hours=1)  # the next cron run: the server is back
    report = Worker(store, lambda job: down, now=clock, limits={}).run(once=True, sleep=clock.sleep)
    assert report.succeeded == 3 and not report.deferred
    assert {j.status for j in store.jobs()} == {"succeeded"}


def test_a_refusal_in_between_means_the_server_answers(store):
    _two_accounts(store, slow=4, fine=0)
    answers: list[BaseException | None] = [_timeout(), RejectedError("bad image", account="slow"),
                                           _timeout(), None]
    adapter = Scripted(script=answers)
    clock = Clock(T0 + timedelta(hours=1))
    report = Worker(store, lambda job: adapter, now=clock, limits={}).run(once=True, sleep=clock.sleep)
    assert len(adapter.calls) == 4 and not report.deferred


def test_a_deferred_account_keeps_posting_once_its_server_answers(store):
    _two_accounts(store, slow=4, fine=0)
    adapter = Scripted(script=[_timeout(), _timeout()])
    clock = Clock(T0 + timedelta(hours=1))
    w = Worker(store, lambda job: adapter, now=clock, limits={}, defer_for=timedelta(minutes=10))
    w.run(once=True, sleep=clock.sleep)
    assert "slow" in w.limits and len(adapter.calls) == 2
    clock.t += timedelta(minutes=11)  # a long-running worker probes once the deferral is over
    report = w.run(once=True, sleep=clock.sleep)
    assert report.succeeded >= 2 and "slow" not in w.limits and not report.deferred


def test_what_counts_as_no_answer():
    assert unreachable(_timeout())
    assert not unreachable(TransientError("503", account="a"))
    assert not unreachable(AuthError("refused", account="a"))
    assert unreachable(TimeoutError("timed out")) and unreachable(ConnectionRefusedError())
    # an adapter that does not set the flag: its chain shows requests' own timeout
    try:
        try:
            raise requests.exceptions.ReadTimeout("read timed out")
        except requests.exceptions.RequestException:
            raise TransientError("network error", account="a") from None
    except TransientError as e:
        assert unreachable(e)
    try:
        try:
            raise requests.exceptions.ConnectionError("refused")
        except requests.exceptions.RequestException:
            raise AuthError("odd", account="a") from None
    except AuthError as e:
        assert not unreachable(e)
    import httpx  # atproto's transport: its errors chain httpx's

    try:
        try:
            raise httpx.ConnectError("refused")
        except httpx.HTTPError as inner:
            raise TransientError("PDS", account="a") from inner
    except TransientError as e:
        assert unreachable(e)


def test_a_hanging_mastodon_costs_two_timeouts_not_one_per_post(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)
    with FakeMastodon() as srv:
        ctx = AdapterContext(account="nrf_mastodon", platform="mastodon",
                             settings={"platform": "mastodon", "instance": srv.url},
                             state_dir=tmp_path / "state", timeout=0.3)
        adapter = MastodonAdapter(ctx)
        adapter.limits()
        srv.delay_next(r"POST /api/v1/statuses", 1.0, times=10)
        drafts = [make_draft(f"h{i}", account="nrf_mastodon", platform="mastodon", parts=(f"Post {i}",))
                  for i in range(5)]
        queue(store, drafts, accounts={"nrf_mastodon": {"platform": "mastodon", "instance": srv.url}})
        clock = Clock(T0 + timedelta(hours=1))
        report = Worker(store, lambda job: adapter, now=clock, limits={}).run(once=True, sleep=clock.sleep)
        assert len(srv.received("POST", r"/api/v1/statuses")) == 2
        assert list(report.deferred) == ["nrf_mastodon"]
        assert sorted(j.attempts for j in store.jobs()) == [0, 0, 0, 1, 1]


# --- campaign run --once: the exit status -----------------------------------------------------


def test_run_once_exits_1_when_a_post_failed(tmp_path, monkeypatch):
    from campaign.queue.sqlite import SqliteStore

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = tmp_path / "q.sqlite3"
    s = SqliteStore(db)
    queue(s, [make_draft("m1", account="nrf_mastodon", platform="mastodon")],  # no token: it fails
          accounts={"nrf_mastodon": {"platform": "mastodon", "instance": "http://127.0.0.1:9"}})
    s.close()
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(db)], catch_exceptions=False)
    assert r.exit_code == 1, r.output
    assert "failed 1" in r.output and "campaign jobs --state failed" in r.output
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(db), "--json"], catch_exceptions=False)
    assert r.exit_code == 0  # nothing failed in this run (the failed job is not retried by itself)
    assert json.loads(r.output)["failed"] == 0


def test_run_once_exits_0_when_nothing_failed(tmp_path, monkeypatch):
    from campaign.queue.sqlite import SqliteStore

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    db = tmp_path / "q.sqlite3"
    s = SqliteStore(db)
    queue(s, [make_draft("o1", account="local")],
          accounts={"local": {"platform": "outbox", "path": str(tmp_path / "outbox")}})
    s.close()
    r = CliRunner().invoke(cli, ["run", "--once", "--db", str(db)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "sent 1" in r.output


def test_run_help_documents_the_exit_status():
    r = CliRunner().invoke(cli, ["run", "--help"], catch_exceptions=False)
    assert "Exit status with --once" in r.output and "1 when any post failed" in r.output


def test_readme_documents_the_exit_status():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "exits 1 when any post failed" in readme and "`--once` exits 1" in readme


# --- status: "next due" --------------------------------------------------------------------------


def test_next_due_never_names_a_part_whose_previous_part_waits(store):
    queue(store, [make_draft("t", parts=("1/2 first", "2/2 second")), make_draft("later")])
    clock = Clock(T0 + timedelta(minutes=5))
    claim = store.claim("w", now=clock())
    assert claim is not None and claim.job.part == 0
    # the first part is retried in an hour; the second part's own run_at is earlier than that
    store.retry_later(claim.job.id, "w", run_at=T0 + timedelta(hours=1), error="503", now=clock(),
                      uncertain=False)
    named = [(j.highlight_id, j.part) for j in next_due(store)]
    assert ("t", 1) not in named and named == [("later", 0), ("t", 0)]
    r = CliRunner().invoke(cli, ["status", "--db", str(store.path), "--json"], catch_exceptions=False)
    assert [(j["highlight_id"], j["part"]) for j in json.loads(r.output)["next"]] == named
    w = Worker(store, lambda job: Scripted(), now=lambda: T0 + timedelta(hours=2), limits={})
    w.run(once=True)
    assert [j.status for j in store.jobs()] == ["succeeded"] * 3
    assert next_due(store) == []


def test_next_due_names_the_part_once_the_previous_went_out(store):
    queue(store, [make_draft("t", parts=("1/2 first", "2/2 second"))])
    claim = store.claim("w", now=T0 + timedelta(minutes=5))
    assert claim is not None
    store.succeed(claim.job.id, "w", RemoteRef("1"), now=T0 + timedelta(minutes=5))
    assert [(j.highlight_id, j.part) for j in next_due(store)] == [("t", 1)]


@pytest.mark.parametrize("limit", [None, 1])
def test_next_due_limit(store, limit):
    queue(store, [make_draft(f"h{i}") for i in range(3)])
    assert len(next_due(store, limit=limit)) == (3 if limit is None else 1)
