"""Approve, reject, list and edit queued posts (a post: one highlight on one account, every
part of its thread), over any `Store`. The CLI and the terminal review both call these."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from campaign.errors import ReviewError
from campaign.models import Job, ReviewContext
from campaign.queue.review import Approval
from campaign.queue.store import CampaignRecord, Store, check_scope, replace_thread

#: how far ahead a post approved after its slot looks for the next free slot
SLOT_HORIZON = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class Post:
    """One post as a reviewer sees it: the queued parts of one highlight on one account."""

    jobs: tuple[Job, ...]
    record: CampaignRecord | None = None

    @property
    def first(self) -> Job:
        return self.jobs[0]

    @property
    def id(self) -> int:
        return self.first.id

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(j.draft.text for j in self.jobs)

    @property
    def context(self) -> ReviewContext | None:
        return self.first.context

    @property
    def uncertain(self) -> bool:
        return self.context is not None and self.context.uncertain

    @property
    def needed(self) -> int:
        return self.record.approvals if self.record else 1

    def overdue(self, now: datetime) -> bool:
        """Its time has come while it waits for review."""
        return self.first.run_at <= now

    def changes(self) -> list[tuple[str, str]]:
        """(approved text, text now) for each part edited since it was last approved."""
        return [(j.approved_text, j.draft.text) for j in self.jobs
                if j.approved_text is not None and j.approved_text != j.draft.text]


@dataclass(frozen=True, slots=True)
class ReviewCounts:
    """Posts (not parts) of review-required campaigns waiting for review."""

    pending: int = 0
    overdue: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"pending": self.pending, "overdue": self.overdue, "rejected": self.rejected}

    def line(self) -> str:
        """`review: 3 post(s) pending (1 overdue), 1 rejected; ...`, or "" when none waits."""
        if not (self.pending or self.rejected):
            return ""
        text = f"review: {self.pending} post(s) pending"
        text += f" ({self.overdue} overdue: their time has come)" if self.overdue else ""
        text += f", {self.rejected} rejected" if self.rejected else ""
        return text + "; `campaign review` or `campaign pending`"


def review_states(store: Store, *, campaign: str | None = None) -> dict[int, str]:
    """The jobs held for review, by id: "review" (pending) or "rejected"."""
    held = {j.id: "review" for j in store.pending(campaign=campaign)}
    held.update({j.id: "rejected" for j in store.pending(campaign=campaign, rejected=True)})
    return held


@dataclass(frozen=True, slots=True)
class BulkResult:
    approved: list[Approval] = field(default_factory=list)
    refused: list[tuple[Post, str]] = field(default_factory=list)


def reviewer_identity(explicit: str | None = None) -> str:
    """Who is reviewing: `--as NAME`, else $CAMPAIGN_REVIEWER, else the OS user. An empty
    `--as` (an unset shell variable) is refused rather than signed as the OS user."""
    if explicit is not None and not explicit.strip():
        raise ReviewError("--as needs a name (it was empty): who is reviewing?")
    name = (explicit or "").strip() or os.environ.get("CAMPAIGN_REVIEWER", "").strip()
    if name:
        return name
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        raise ReviewError("cannot tell who is reviewing: pass --as NAME or set CAMPAIGN_REVIEWER") from None


def _group(jobs: Iterable[Job], records: dict[str, CampaignRecord | None]) -> list[Post]:
    threads: dict[tuple[str, str, str], list[Job]] = {}
    for j in jobs:
        threads.setdefault((j.campaign, j.account, j.highlight_id), []).append(j)
    return [Post(tuple(sorted(parts, key=lambda j: j.part)), records.get(parts[0].campaign))
            for parts in threads.values()]


def pending_posts(store: Store, *, campaign: str | None = None, account: str | None = None,
                  rejected: bool = False) -> list[Post]:
    """The posts waiting for review (or, with `rejected`, those rejected), in schedule order."""
    jobs = [j for j in store.pending(campaign=campaign, rejected=rejected) if account is None or j.account == account]
    records = {slug: store.campaign(slug) for slug in {j.campaign for j in jobs}}
    return _group(jobs, records)


def rejection(store: Store, post: Post) -> tuple[str, str] | None:
    """(who, note) of the rejection that holds `post` out, or None when it is not rejected."""
    if post.first.review != "rejected":
        return None
    last = next((e for e in reversed(store.events(post.id)) if e.kind == "rejected"), None)
    return (last.owner or "", last.detail or "") if last else None


def review_counts(store: Store, *, now: datetime, campaign: str | None = None) -> ReviewCounts:
    pending = pending_posts(store, campaign=campaign)
    rejected = pending_posts(store, campaign=campaign, rejected=True)
    return ReviewCounts(len(pending), sum(p.overdue(now) for p in pending), len(rejected))


def next_slot(store: Store, job: Job, *, now: datetime) -> datetime:
    """The campaign's next schedule slot after `now` that keeps the account's spacing from its
    other queued posts; `now` when the campaign's YAML cannot be read (it says nothing then)."""
    from campaign.errors import CampaignError

    record = store.campaign(job.campaign)
    if record is None or not record.config_path:
        return now
    try:
        from campaign.config import load
        from campaign.plan import slots_between

        cfg = load(record.config_path)
        taken = [j.run_at for j in store.jobs(status="todo", campaign=job.campaign)
                 if j.account == job.account and j.highlight_id != job.highlight_id]
        spacing = cfg.schedule.spacing
        for t in slots_between(cfg.schedule, cfg.zone, now, now + SLOT_HORIZON):
            if all(abs(t - x) >= spacing for x in taken):
                return t
    except (CampaignError, OSError, ValueError):
        pass
    return now


def _review_required(store: Store, job_id: int) -> None:
    """Raise ReviewError when the job's campaign has `review: off`: its posts go out without
    review, so an approval or a rejection would change nothing (a rejection would not hold it)."""
    job = store.get(job_id)
    record = store.campaign(job.campaign)
    if record is not None and record.review != "required":
        raise ReviewError(f"job #{job_id}: campaign '{job.campaign}' has `review: off`, so its posts go out at their "
                          f"time without review; `campaign cancel {job_id}` stops this one (`review: required` in "
                          "its YAML, then `campaign queue`, holds them all for review)", job_id=job_id)


def _first_todo(store: Store, job_id: int) -> Job:
    job = store.get(job_id)
    parts = [j for j in store.jobs(status="todo", campaign=job.campaign)
             if (j.account, j.highlight_id) == (job.account, job.highlight_id)]
    return min(parts, key=lambda j: j.part) if parts else job


def approve_posts(store: Store, ids: Sequence[int], *, reviewer: str, now: datetime, note: str | None = None,
                  asap: bool = False, bulk: bool = False) -> list[Approval]:
    """Approve each post by (any of its parts') id. A post whose slot has passed moves to the
    next slot (or to `now` with `asap`); raises ReviewError at the first one refused."""
    out = []
    for job_id in ids:
        _review_required(store, job_id)
        out.append(_approve(store, job_id, _first_todo(store, job_id), reviewer=reviewer, now=now, note=note,
                            asap=asap, bulk=bulk))
    return out


def _approve(store: Store, job_id: int, first: Job, *, reviewer: str, now: datetime, note: str | None,
             asap: bool, bulk: bool) -> Approval:
    """Approve the post of `job_id`, whose first queued part is `first` (its slot decides the time)."""
    run_at = now if asap else next_slot(store, first, now=now) if first.run_at <= now else None
    return store.approve(job_id, reviewer, now=now, note=note, bulk=bulk, run_at=run_at)


def approve_each(store: Store, ids: Sequence[int], *, reviewer: str, now: datetime, note: str | None = None,
                 asap: bool = False) -> tuple[list[Approval], list[tuple[int, str]]]:
    """Approve each id on its own (`approve_posts`): one refused (unknown, `review: off`, ...) is
    returned with why beside the others, which are still approved; an id of a thread approved a
    moment ago through another of its parts is passed over (a thread is approved whole)."""
    from campaign.errors import CampaignError

    done: list[Approval] = []
    refused: list[tuple[int, str]] = []
    for job_id in ids:
        try:
            j = store.get(job_id)
            if any((a.job.campaign, a.job.account, a.job.highlight_id) == (j.campaign, j.account, j.highlight_id)
                   for a in done):
                continue
            done += approve_posts(store, [job_id], reviewer=reviewer, now=now, note=note, asap=asap)
        except CampaignError as e:
            refused.append((job_id, str(e)))
    return done, refused


def approve_bulk(store: Store, *, reviewer: str, now: datetime, campaign: str | None = None,
                 account: str | None = None, note: str | None = None, asap: bool = False) -> BulkResult:
    """Approve every pending post (of a campaign, of an account). A post whose speaker is
    uncertain is refused (it needs its own approval, after reading its source), as is any
    the rules refuse; the others are approved. An unknown campaign or account raises QueueError."""
    check_scope(store, campaign=campaign, account=account)
    approved: list[Approval] = []
    refused: list[tuple[Post, str]] = []
    for post in pending_posts(store, campaign=campaign, account=account):
        try:  # the post's parts are at hand: not looked up again for each (that was quadratic)
            _review_required(store, post.id)
            approved.append(_approve(store, post.id, post.first, reviewer=reviewer, now=now, note=note, asap=asap,
                                     bulk=True))
        except ReviewError as e:
            refused.append((post, str(e)))
    return BulkResult(approved, refused)


def reject_post(store: Store, job_id: int, *, reviewer: str, note: str, now: datetime) -> Job:
    _review_required(store, job_id)
    return store.reject(job_id, reviewer, note=note, now=now)


def edit_post(store: Store, job_id: int, parts: Sequence[str], *, by: str, now: datetime) -> Job:
    """Replace the text of the post `job_id` belongs to with `parts` (one per thread part),
    kept as the reviewer's edit so `campaign queue` does not undo it. The post goes back to
    pending if it was approved or rejected. Returns its first part."""
    from campaign.review.context import measure

    texts = tuple(p.strip() for p in parts if p.strip())
    if not texts:
        raise ReviewError(f"job #{job_id}: the edited text is empty; nothing changed", job_id=job_id)
    first = _first_todo(store, job_id)
    if first.status != "todo":
        raise ReviewError(f"job #{job_id} is {first.status}; only queued posts can be edited", job_id=job_id)
    draft = replace(first.draft, parts=texts, lengths=measure(first.platform, texts))
    store.set_override(first.campaign, first.account, first.highlight_id, texts, by=by, now=now)
    replace_thread(store, first, draft, now=now, note=f"text edited by {by}")
    return _first_todo(store, first.id)
