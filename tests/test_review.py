"""Review before anything goes out, on every store: pending posts are never claimed, approvals
are N of M distinct reviewers, an edit sends a post back to pending, a thread is reviewed
whole, uncertain speakers refuse bulk approval, rejected posts stay out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from campaign.errors import ReviewError
from campaign.models import Draft, PlannedPost, ReviewContext
from campaign.queue import CampaignRecord, EnqueueReport, MemoryStore, Store, enqueue_plan
from campaign.queue.sqlite import SqliteStore
from campaign.queue.store import next_due
from campaign.review import approve_bulk, approve_posts, edit_post, pending_posts, review_counts
from campaign.review.pack import approved_highlights
from tests.pg import postgres_store

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SURE = ReviewContext(quote="q", speaker="Ann Lee", confident=True, evidence="'Ann Lee said' beside the quote",
                     sentence="“q,” Ann Lee said.")
GUESS = ReviewContext(quote="g", speaker="Bo Chan", confident=False, evidence="a lone name nearby",
                      sentence="“g.” Bo Chan was in the room.")


def sqlite_store(tmp_path: Path) -> Store:
    return SqliteStore(tmp_path / "q.sqlite3")


def memory_store(tmp_path: Path) -> Store:
    return MemoryStore(tmp_path / "media")


STORES: list[Callable[[Path], Store]] = [sqlite_store, memory_store, postgres_store]  # PostgreSQL: tests/pg


@pytest.fixture(params=STORES, ids=lambda f: f.__name__.removesuffix("_store"))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = request.param(tmp_path)
    yield s
    s.close()


def draft(hid: str = "h1", parts: tuple[str, ...] = ("hello",), account: str = "acct") -> Draft:
    return Draft(highlight_id=hid, account=account, platform="outbox", parts=parts,
                 lengths=tuple(len(p) for p in parts), limit=500)


def queue(store: Store, *drafts: Draft, review: str = "required", approvals: int = 1,
          reviewers: tuple[str, ...] = (), start: datetime = T0, now: datetime = T0,
          contexts: dict[str, ReviewContext] | None = None) -> EnqueueReport:
    rec = CampaignRecord("camp", "Camp", "UTC", "en", ".", None, {"acct": {"platform": "outbox"}}, T0,
                         review=review, approvals=approvals, reviewers=reviewers)
    planned = [PlannedPost(d, k, start + i * MIN, "UTC") for i, d in enumerate(drafts) for k in range(len(d.parts))]
    return enqueue_plan(store, rec, planned, now=now, contexts=contexts)


def kinds(store: Store, job_id: int) -> list[str]:
    return [e.kind for e in store.events(job_id)]


LATER = T0 + timedelta(days=1)


def test_pending_posts_are_never_claimed_approved_ones_are(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"))
    assert store.claim("w", now=LATER) is None
    assert store.due(now=LATER) == [] and store.next_wake(now=LATER) is None
    assert [j.highlight_id for j in store.pending()] == ["h1", "h2"]
    a = store.approve(2, "ann", now=T0)
    assert (a.state, a.approvals, a.job.review) == ("approved", ("ann",), "approved")
    c = store.claim("w", now=LATER)
    assert c is not None and c.job.id == 2
    assert store.claim("w", now=LATER) is None
    assert kinds(store, 2) == ["queued", "approved", "started"]
    assert [e.owner for e in store.events(2)][1] == "ann"


def test_review_off_publishes_at_once(store: Store) -> None:
    queue(store, draft("h1"), review="off")
    assert store.pending() == []
    assert store.claim("w", now=LATER) is not None


def test_switching_review_on_holds_what_is_queued(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"), review="off")
    queue(store, draft("h1"), draft("h2"), review="required")
    assert store.claim("w", now=LATER) is None
    assert len(store.pending()) == 2


def test_n_of_m_distinct_reviewers(store: Store) -> None:
    queue(store, draft("h1"), approvals=2, reviewers=("Ann", "Bob", "Cy"))
    with pytest.raises(ReviewError, match="not one of the campaign's reviewers"):
        store.approve(1, "Zed", now=T0)
    first = store.approve(1, "ann", now=T0, note="fine by me")  # names match the campaign's spelling
    assert (first.state, first.approvals, first.needed) == ("pending", ("Ann",), 2)
    assert store.claim("w", now=LATER) is None
    with pytest.raises(ReviewError, match="Ann already approved it; it needs 1 more"):
        store.approve(1, "ANN", now=T0)
    second = store.approve(1, "Bob", now=T0)
    assert (second.state, second.approvals) == ("approved", ("Ann", "Bob"))
    events = store.events(1)
    assert [(e.kind, e.owner, e.detail) for e in events[1:]] == [
        ("approval", "Ann", "1 of 2; fine by me"), ("approved", "Bob", "2 of 2")]
    assert store.claim("w", now=LATER) is not None


def test_edit_after_approval_resets_it_and_a_time_change_does_not(store: Store) -> None:
    queue(store, draft("h1", ("first words",)))
    store.approve(1, "ann", now=T0)
    queue(store, draft("h1", ("first words",)), start=T0 + 5 * MIN)  # moved, same words
    assert store.get(1).review == "approved"
    queue(store, draft("h1", ("second words",)), start=T0 + 5 * MIN)
    job = store.get(1)
    assert (job.review, job.approvals, job.approved_text, job.draft.text) == (
        "pending", (), "first words", "second words")
    reset = store.events(1)[-1]
    assert reset.kind == "review-reset" and "changed after it was approved by ann" in (reset.detail or "")
    assert store.claim("w", now=LATER) is None
    (post,) = pending_posts(store)
    assert post.changes() == [("first words", "second words")]


def test_a_thread_is_reviewed_whole(store: Store) -> None:
    queue(store, draft("h1", ("one", "two")))
    a = store.approve(2, "ann", now=T0)  # part 2's id approves the thread
    assert [j.review for j in a.jobs] == ["approved", "approved"]
    queue(store, draft("h1", ("one", "two", "three")))  # a part added: the whole thread again
    assert [j.review for j in store.jobs()] == ["pending"] * 3
    assert store.claim("w", now=LATER) is None


def test_rejected_stays_out_until_edited_or_approved(store: Store) -> None:
    queue(store, draft("h1", ("words",)), draft("h2"))
    with pytest.raises(ReviewError, match="needs a note"):
        store.reject(1, "ann", note="  ", now=T0)
    job = store.reject(1, "ann", note="wrong   name", now=T0)
    assert job.review == "rejected" and store.events(1)[-1].detail == "wrong name"
    store.approve(2, "ann", now=T0)
    assert store.claim("w", now=LATER).job.id == 2  # type: ignore[union-attr]
    assert store.claim("w", now=LATER) is None
    assert [j.id for j in store.pending(rejected=True)] == [1] and store.pending() == []
    queue(store, draft("h1", ("words",)), draft("h2"))  # queued again unchanged: still rejected
    assert store.get(1).review == "rejected"
    queue(store, draft("h1", ("better words",)), draft("h2"))
    assert store.get(1).review == "pending"
    store.reject(1, "ann", note="still no", now=T0)
    assert store.approve(1, "bob", now=T0).state == "approved"  # a rejected post approved by hand


def test_uncertain_speaker_refuses_bulk_approval(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"), contexts={"h1": SURE, "h2": GUESS})
    assert store.get(2).context == GUESS and store.get(1).context == SURE
    with pytest.raises(ReviewError, match="uncertain"):
        store.approve(2, "ann", now=T0, bulk=True)
    result = approve_bulk(store, reviewer="ann", now=T0)
    assert [a.job.id for a in result.approved] == [1]
    assert [(p.id, "Bo Chan" in why) for p, why in result.refused] == [(2, True)]
    assert store.get(2).review == "pending"
    assert approve_posts(store, [2], reviewer="ann", now=T0)[0].state == "approved"  # on its own: fine


def test_bulk_approval_reads_the_queue_once_not_once_per_post(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SqliteStore(tmp_path / "q.sqlite3")
    queue(store, *(draft(f"h{i}", ("a", "b") if i % 3 == 0 else ("c",)) for i in range(30)))
    listed: list[object] = []
    real = store.jobs
    monkeypatch.setattr(store, "jobs", lambda *a, **kw: listed.append(kw) or real(*a, **kw))
    result = approve_bulk(store, reviewer="ann", now=T0 - MIN)
    store.close()
    assert len(result.approved) == 30 and result.refused == []
    assert listed == []  # each post's parts came with the pending list (a listing per post was quadratic)


def test_approved_after_its_slot_moves_on(store: Store) -> None:
    queue(store, draft("h1", ("a", "b")), draft("h2"))
    late = T0 + timedelta(hours=3)
    counts = review_counts(store, now=late)
    assert (counts.pending, counts.overdue) == (2, 2)
    assert review_counts(store, now=T0 - MIN).overdue == 0
    (a,) = approve_posts(store, [1], reviewer="ann", now=late)  # no config to read: now
    assert a.moved_from == T0 and [j.run_at for j in a.jobs] == [late, late]
    assert "rescheduled" in kinds(store, 2)
    (b,) = approve_posts(store, [3], reviewer="ann", now=T0 - 10 * MIN, asap=True)
    assert b.job.run_at == T0 - 10 * MIN


def test_next_due_skips_what_waits_for_review(store: Store) -> None:
    queue(store, draft("h1"), draft("h2"))
    store.approve(2, "ann", now=T0)
    assert [j.id for j in next_due(store)] == [2]


def test_edit_is_kept_and_sends_the_post_back(store: Store) -> None:
    queue(store, draft("h1", ("one", "two")), draft("h2"))
    store.approve(1, "ann", now=T0)
    job = edit_post(store, 2, ["only one part now"], by="ann", now=T0)
    assert job.draft.text == "only one part now" and job.review == "pending"
    assert [j.status for j in store.jobs() if j.highlight_id == "h1"] == ["todo", "cancelled"]
    assert store.overrides("camp") == {("acct", "h1"): ("only one part now",)}
    with pytest.raises(ReviewError, match="empty"):
        edit_post(store, 1, ["  "], by="ann", now=T0)


def test_the_pack_sees_only_signed_off_highlights(store: Store) -> None:
    queue(store, draft("h1", ("a", "b")), draft("h2"), draft("h3"))
    store.approve(1, "ann", now=T0)
    store.reject(4, "ann", note="no", now=T0)
    assert approved_highlights(store, "camp") == {"h1"}
    c = store.claim("w", now=LATER)
    assert c is not None
    from campaign.models import RemoteRef

    store.succeed(c.job.id, "w", RemoteRef("x1"), now=LATER)
    assert approved_highlights(store, "camp") == {"h1"}  # sent counts as signed off


def test_the_review_screen_shows_doubt_and_what_changed(store: Store) -> None:
    from campaign.review.tui import render_post

    queue(store, draft("h1", ("first words here",)), contexts={"h1": GUESS})
    store.approve(1, "ann", now=T0)
    queue(store, draft("h1", ("other words here",)), contexts={"h1": GUESS})
    (post,) = pending_posts(store)
    text = render_post(post, now=LATER, index=0, total=1).plain
    assert "Speaker: Bo Chan  UNCERTAIN" in text and "not named on the post unless pinned" in text
    assert "Evidence: a lone name nearby" in text and "Source: “g.” Bo Chan was in the room." in text
    assert "OVERDUE" in text and "── 16/500 ──" in text
    assert "Changed since approved: first other words here" in text


def test_word_diff() -> None:
    from campaign.review.diff import diff_text, word_diff

    assert word_diff("a b c", "a x c") == [("=", "a "), ("-", "b "), ("+", "x "), ("=", "c")]
    assert diff_text("keep this", "keep that") == "keep [-this-]{+that+}"


def test_reviewer_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    from campaign.review import reviewer_identity

    monkeypatch.setenv("CAMPAIGN_REVIEWER", "Jo")
    assert reviewer_identity("Amina") == "Amina" and reviewer_identity(None) == "Jo"
    monkeypatch.delenv("CAMPAIGN_REVIEWER")
    import getpass

    assert reviewer_identity() == getpass.getuser()


def test_the_studio_asks_the_queue(tmp_path: Path) -> None:
    from campaign.models import Highlight
    from campaign.review.pack import QueueApprovals

    def hl(hid: str) -> Highlight:
        return Highlight(hid, "quote", "words", "Ann Lee", 1.0, 0, 5)

    assert QueueApprovals(tmp_path / "none.sqlite3", "camp")(hl("h1")) is False  # no queue: nothing shown
    store = SqliteStore(tmp_path / "q.sqlite3")
    queue(store, draft("h1"), draft("h2"))
    store.approve(1, "ann", now=T0)
    store.close()
    approved = QueueApprovals(tmp_path / "q.sqlite3", "camp", every=0)
    assert approved(hl("h1")) and not approved(hl("h2"))


def test_the_review_screens_summary_does_not_count_one_of_two_approvals_as_approved() -> None:
    from campaign.review.tui import Tally

    tally = Tally(approved=[1], signed=[2])
    assert tally.summary().startswith("approved 1 (#1), signed 1 (#2) (awaiting more approvals), rejected 0")
