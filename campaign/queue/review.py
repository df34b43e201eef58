"""Review before anything goes out: the rules every store shares (pure functions, no I/O).

A campaign whose record says `review == "required"` has its queued posts published only once
approved. The unit of review is a post: one highlight on one account, all the parts of its
thread together (approving any part approves the thread). Each todo job carries:

- `review`: `pending`, `approved` or `rejected`;
- `approvals`: the distinct reviewers who approved its current content (`approvals: N` of the
  campaign are needed; with `reviewers:` only those names count);
- `reviewed_hash`: the content hash the last decision was about. A re-queue that changes the
  content (text, card, thread size) sends the whole thread back to `pending`, with a
  "review-reset" event saying why; a change of time alone keeps the decision.

Every decision is an event in the job's history: `approval` (one of several needed),
`approved` (enough approvals), `rejected` (with its note, required), `review-reset`.
The worker never sees any of this: `claim` skips a job of a review-required campaign that
is not approved, so a second worker or a crash cannot leak one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from campaign.errors import ReviewError
from campaign.models import Job, ReviewContext, ReviewState, utc

if TYPE_CHECKING:
    from campaign.queue.store import NewJob

REVIEW_MODES = ("off", "required")
REVIEW_STATES: tuple[ReviewState, ...] = ("pending", "approved", "rejected")

Thread = tuple[str, str, str]  # campaign, account, highlight_id


@dataclass(frozen=True, slots=True)
class Decision:
    """What one approval does to a post: its new state and approvers, and the event to record."""

    state: ReviewState
    approvals: tuple[str, ...]
    kind: str  # "approval" (more needed) or "approved"
    detail: str


@dataclass(frozen=True, slots=True)
class Approval:
    """The result of `Store.approve`: the thread's parts after it, and whether it moved."""

    jobs: tuple[Job, ...]
    state: ReviewState
    approvals: tuple[str, ...]
    needed: int
    moved_from: datetime | None = None

    @property
    def job(self) -> Job:
        return self.jobs[0]


def thread_of(job: Job) -> Thread:
    return (job.campaign, job.account, job.highlight_id)


def context_to_json(ctx: ReviewContext | None) -> str | None:
    if ctx is None:
        return None
    return json.dumps(asdict(ctx), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def context_from_json(text: str | None) -> ReviewContext | None:
    """The stored context, or None when there is none (or it cannot be read: it is advice)."""
    if not text:
        return None
    try:
        data = json.loads(text)
        fields = set(ReviewContext.__dataclass_fields__)
        return ReviewContext(**{k: v for k, v in data.items() if k in fields})
    except (ValueError, TypeError, AttributeError):
        return None


def approvals_from_json(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def approvals_to_json(names: Sequence[str]) -> str:
    return json.dumps(list(names), ensure_ascii=False)


def reviewer_name(reviewer: str, reviewers: Sequence[str], job_id: int) -> str:
    """`reviewer` as the campaign spells it; refused when empty, or not one of `reviewers`
    (when the campaign names its reviewers; case is ignored)."""
    name = " ".join(reviewer.split())
    if not name:
        raise ReviewError(f"job #{job_id}: a review needs a reviewer's name (--as NAME or CAMPAIGN_REVIEWER)",
                          job_id=job_id)
    if reviewers:
        match = next((r for r in reviewers if r.casefold() == name.casefold()), None)
        if match is None:
            raise ReviewError(f"job #{job_id}: '{name}' is not one of the campaign's reviewers "
                              f"({', '.join(reviewers)})", job_id=job_id)
        return match
    return name


def approve_rule(job: Job, reviewer: str, *, needed: int, bulk: bool, note: str | None) -> Decision:
    """What `reviewer` approving `job`'s post does (raises ReviewError when it may not).

    A post whose speaker is uncertain is never approved in bulk; one reviewer counts once;
    a rejected post approved starts its approvals afresh."""
    if job.status != "todo":
        raise ReviewError(f"job #{job.id} is {job.status}; only queued posts are reviewed", job_id=job.id)
    if bulk and job.context is not None and job.context.uncertain:
        raise ReviewError(
            f"job #{job.id}: the speaker '{job.context.speaker}' is uncertain ({job.context.evidence or 'no evidence'}); "
            f"approve it on its own after reading its source: `campaign approve {job.id}`", job_id=job.id)
    if job.review == "approved" and reviewer in job.approvals:
        raise ReviewError(f"job #{job.id} is already approved by {reviewer}", job_id=job.id)
    before = () if job.review == "rejected" else job.approvals
    if reviewer in before:
        raise ReviewError(f"job #{job.id}: {reviewer} already approved it; it needs "
                          f"{needed - len(before)} more reviewer(s)", job_id=job.id)
    approvals = (*before, reviewer)
    done = len(approvals) >= needed
    detail = f"{len(approvals)} of {needed}" if needed > 1 else ""
    if job.review == "rejected":
        detail = "; ".join(filter(None, [detail, "was rejected"]))
    if note:
        detail = "; ".join(filter(None, [detail, note.strip()]))
    return Decision("approved" if done else "pending", approvals, "approved" if done else "approval", detail)


def approval_shift(first: Job, decision: Decision, run_at: datetime | None) -> timedelta | None:
    """How far an approval moves the post whose first queued part is `first`: to `run_at` when
    given and the post is now approved; None when it stays where it is."""
    if run_at is None or decision.state != "approved":
        return None
    return (utc(run_at) - first.run_at) or None


def reject_rule(job: Job, note: str | None) -> str:
    """The note of a rejection (required: the author must learn why)."""
    if job.status != "todo":
        raise ReviewError(f"job #{job.id} is {job.status}; only queued posts are reviewed", job_id=job.id)
    text = " ".join((note or "").split())
    if not text:
        raise ReviewError(f"job #{job.id}: a rejection needs a note saying why (--note TEXT)", job_id=job.id)
    return text


def review_sync_plan(rows: Iterable[Any], jobs: Iterable[NewJob]) -> tuple[list[tuple[int, str]],
                                                                          list[tuple[list[int], str]]]:
    """What an enqueue does to review, from a campaign's queued rows (mappings with `id`, `account`,
    `highlight_id`, `review`, `approvals` as JSON, `reviewed_hash`, `content_hash`, in thread and
    part order) and the jobs queued: each row's new context `(id, context JSON)`, and the threads
    that go back to pending `(ids, reset detail)` (see `needs_reset`)."""
    contexts = {(nj.account, nj.highlight_id): nj.context for nj in jobs if nj.context is not None}
    threads: dict[tuple[str, str], list[Any]] = {}
    updates: list[tuple[int, str]] = []
    for r in rows:
        threads.setdefault((r["account"], r["highlight_id"]), []).append(r)
        ctx = context_to_json(contexts.get((r["account"], r["highlight_id"])))
        if ctx is not None:
            updates.append((r["id"], ctx))
    resets: list[tuple[list[int], str]] = []
    for parts in threads.values():
        if needs_reset((p["review"], p["reviewed_hash"], p["content_hash"]) for p in parts):
            decided = next(p for p in parts if p["review"] != "pending")
            resets.append(([p["id"] for p in parts],
                           reset_detail(approvals_from_json(decided["approvals"]), decided["review"])))
    return updates, resets


def apply_review_sync(c: Any, sql: Mapping[str, str], campaign: str, jobs: Iterable[NewJob], now: Any,
                      event: Callable[[int, str], None]) -> None:
    """Carry out `review_sync_plan` on an SQL store's cursor `c` (same transaction as the enqueue),
    with that store's statements `sql`; `event(job_id, detail)` records each reset."""
    updates, resets = review_sync_plan(c.execute(sql["review_campaign_todo"], {"campaign": campaign}).fetchall(), jobs)
    for job_id, ctx in updates:
        c.execute(sql["review_context"], {"id": job_id, "context": ctx})
    for ids, detail in resets:
        for job_id in ids:
            c.execute(sql["review_reset"], {"id": job_id, "now": now})
            event(job_id, detail)


def reset_detail(approvals: Sequence[str], state: ReviewState) -> str:
    who = f" by {', '.join(approvals)}" if approvals else ""
    return f"draft changed after it was {state}{who}; it needs review again"


def needs_reset(parts: Iterable[tuple[ReviewState, str | None, str]]) -> bool:
    """Whether a thread's queued parts, as (review, reviewed_hash, content_hash), must go back to
    pending: a decided part whose content changed since, or decided and undecided parts mixed
    (a part was added to a thread already decided)."""
    rows = list(parts)
    decided = [r for r in rows if r[0] != "pending"]
    if not decided:
        return False
    return any(h != c for _, h, c in decided) or len(decided) != len(rows)
