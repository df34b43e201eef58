"""A post refused as a duplicate (X's 403) counts as sent only when `find` shows it is there."""

from __future__ import annotations

from campaign.errors import RejectedError
from campaign.queue.sqlite import SqliteStore
from tests.helpers import Clock, Scripted, make_draft, queue, worker


def test_duplicate_found_on_the_platform_is_reconciled(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    dup = RejectedError("X refused duplicate content, possibly already posted", possibly_posted=True)
    a = Scripted([dup], land_on_error=True)  # an earlier, lost attempt did land
    report = worker(store, a, Clock()).run(once=True)
    job = store.jobs()[0]
    assert report.failed == 0 and job.status == "succeeded" and job.remote_id
    assert a.calls == [f"publish {job.idempotency_key}", f"find {job.idempotency_key}"]
    assert any(e.kind == "reconciled" for e in store.events(job.id))


def test_duplicate_not_found_fails_with_the_platform_message(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    dup = RejectedError("X refused duplicate content, possibly already posted", possibly_posted=True)
    report = worker(store, Scripted([dup]), Clock()).run(once=True)
    job = store.jobs()[0]
    assert report.failed == 1 and job.status == "failed" and "duplicate" in (job.last_error or "")


def test_other_rejections_do_not_look(store: SqliteStore) -> None:
    queue(store, [make_draft("h1")])
    a = Scripted([RejectedError("too long")])
    worker(store, a, Clock()).run(once=True)
    assert [c.split()[0] for c in a.calls] == ["publish"]
