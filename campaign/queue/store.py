"""The job store: what the worker and the CLI may ask of it, and the values it takes and returns.

The `Store` protocol is the whole contract between the queue and its users (the
worker, the CLI). `campaign.queue.sqlite.SqliteStore` implements it on one SQLite
file; a PostgreSQL store (claiming with `FOR UPDATE SKIP LOCKED`) can implement
the same methods without the worker changing.

Rules every store keeps:
- Job states are `todo`, `doing`, `succeeded`, `failed`, `cancelled`; every
  transition appends a row to the append-only `job_events`; finished jobs stay.
  The one rewrite is `scrub` (`campaign scrub`): details passed through redaction
  again, so a secret that reached the history can be removed; it says so in a
  "scrubbed" event.
- `claim` is atomic: it moves one due job to `doing` under a lease owned by the
  caller, counts the attempt and records "started" before anything is sent.
- Every later transition names the lease owner and fails with `LeaseLost` when
  the job is no longer that owner's `doing` job.
- A job reclaimed after its lease expired, or retried after an ambiguous error,
  comes back with `Claim.uncertain` set: reconcile with `adapter.find` first. A job
  that may have landed stays uncertain when it fails, is retried by hand, cancelled
  or queued again, until a `find` (or a send) settles it.
- Leases are judged by the store's own clock (SQLite's `'now'`), never by a worker's
  `now`: a worker whose clock runs ahead cannot take a live lease. `extend` is the
  fence a worker passes immediately before the platform call: False when the lease
  is no longer its own, or has run out.
- Nothing reaches the store unredacted: `last_error` and event details pass
  `campaign.redact.redact`; `scrub` rewrites what an older version stored.
- Functions take `now` (for due times and event times); nothing else reads the clock.
- A thread moves whole: `retry` and `reschedule` of any part move its parts together, in
  order, and no queued part is ever due before its previous part (`campaign.queue.threads`).
- Re-queueing keeps what the organizer did by hand (a reschedule, a retry, a cancel: the
  job's `by_hand`) unless `replan` (`decide`, `keeps_time`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from campaign.errors import QueueError
from campaign.models import (
    Draft,
    Job,
    JobStatus,
    MediaRef,
    Metrics,
    MetricsSnapshot,
    PlannedPost,
    RemoteRef,
    ReviewContext,
    utc,
)
from campaign.queue.media import folder_put, read_media, store_media
from campaign.queue.threads import send_order

if TYPE_CHECKING:
    import threading

    from campaign.queue.review import Approval

STATES: tuple[JobStatus, ...] = ("todo", "doing", "succeeded", "failed", "cancelled")
DEFAULT_LEASE = timedelta(minutes=5)
#: the shortest lease a worker may take: the heartbeat renews it every third of it, and
#: a lease that runs out while the post is in flight lets another worker look and send.
MIN_LEASE = timedelta(seconds=3)



# --- values the store takes and returns ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    """What `campaign run` needs to build adapters without the YAML (no secrets in here)."""

    slug: str
    name: str
    zone: str
    language: str
    base_dir: str
    config_path: str | None
    accounts: dict[str, dict[str, Any]]
    anchor: datetime  # the `now` that `start: now` meant when first queued
    # review policy (`review:` in the YAML, see campaign.queue.review): "required" or "off",
    # how many distinct reviewers each post needs, and who may review (empty: anyone)
    review: str = "off"
    approvals: int = 1
    reviewers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewJob:
    """One planned part to enqueue; `draft` is the one-part Draft that will be published."""

    campaign: str
    account: str
    platform: str
    highlight_id: str
    part: int
    parts: int
    run_at: datetime
    zone: str
    draft: Draft
    notes: tuple[str, ...] = ()
    context: ReviewContext | None = None  # for the reviewer: the quote's source and speaker evidence

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.campaign, self.highlight_id, self.account, self.part)

    @property
    def content_hash(self) -> str:
        return content_hash(self.draft, self.parts)


@dataclass(frozen=True, slots=True)
class Claim:
    """A job this worker now owns. `reply_to`: the previous part's post, for a thread."""

    job: Job
    owner: str
    uncertain: bool
    reply_to: RemoteRef | None = None


@dataclass(frozen=True, slots=True)
class JobEvent:
    id: int
    job_id: int
    at: datetime
    kind: str
    attempt: int
    owner: str | None
    detail: str | None


Outcome = Literal["added", "updated", "requeued", "unchanged", "kept", "sent", "cancelled"]


@dataclass(frozen=True, slots=True)
class EnqueueItem:
    job_id: int
    dedupe_key: str
    outcome: Outcome
    status: JobStatus
    reason: str = ""


def moved_item(item: EnqueueItem, why: str | None) -> EnqueueItem:
    """`item`, its job also moved after its thread's previous part (`why`; None: not moved)."""
    if why is None:
        return item
    if item.outcome == "unchanged":
        return replace(item, outcome="updated", reason=why)
    return replace(item, reason=f"{item.reason}; {why}" if item.reason else why)


@dataclass(frozen=True, slots=True)
class EnqueueReport:
    """What `enqueue` did to each job of the campaign; `items` in dedupe-key order."""

    campaign: str
    items: tuple[EnqueueItem, ...] = ()
    late: tuple[int, ...] = ()  # jobs added now whose planned time has already passed

    def of(self, outcome: Outcome) -> list[EnqueueItem]:
        return [i for i in self.items if i.outcome == outcome]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.items:
            out[i.outcome] = out.get(i.outcome, 0) + 1
        return out

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{c.get(k, 0)} {k}" for k in ("added", "updated", "requeued", "unchanged")]
        text = f"{self.campaign}: " + ", ".join(parts)
        for k, what in (("sent", "already sent, left alone"), ("kept", "kept as they were"),
                        ("cancelled", "cancelled (no longer in the config)")):
            if c.get(k):
                text += f"; {c[k]} {what}"
        if self.late:
            ids = ", ".join(f"#{i}" for i in self.late[:5]) + (", ..." if len(self.late) > 5 else "")
            text += (f"; warning: {len(self.late)} post(s) new or queued again fall on slots already past "
                     f"and go out at the next run ({ids}; move them with `campaign reschedule JOB --at ...`)")
        return text

    def reasons(self) -> list[tuple[Outcome, str, list[int]]]:
        """What was changed or kept and why: (outcome, reason, job ids), one entry per reason,
        changes first (updated, requeued, cancelled), then what was kept or already sent."""
        groups: dict[tuple[Outcome, str], list[int]] = {}
        for i in self.items:
            if i.reason:
                groups.setdefault((i.outcome, i.reason), []).append(i.job_id)
        order: tuple[Outcome, ...] = ("updated", "requeued", "cancelled", "kept", "sent", "added", "unchanged")
        return [(o, r, sorted(ids)) for (o, r), ids in sorted(groups.items(), key=lambda g: order.index(g[0][0]))]


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `posts` attempts per `per` for one account (from `Account.rate_limit`)."""

    posts: int
    per: timedelta


class Store(Protocol):
    """The job store. Every method is one transaction; `now` is always given."""

    media_dir: Path

    # queueing
    def save_campaign(self, record: CampaignRecord, *, now: datetime) -> CampaignRecord: ...
    def campaign(self, slug: str) -> CampaignRecord | None: ...
    def campaigns(self) -> list[CampaignRecord]: ...
    def enqueue(self, campaign: str, jobs: list[NewJob], *, now: datetime, replan: bool = False) -> EnqueueReport:
        """Make the campaign's queued jobs match `jobs` (see `decide`); the organizer's edits by hand
        (a reschedule, a retry, a cancel) are kept unless `replan`; a thread's queued parts are never
        due before their previous part (`campaign.queue.threads.thread_times`)."""
        ...

    # the worker
    def claim(self, owner: str, *, now: datetime, lease: timedelta = DEFAULT_LEASE,
              limits: Mapping[str, Limit] | None = None, busy: Collection[str] = ()) -> Claim | None:
        """Claim the due job that goes first (an expired lease before a due job), or None.

        Skips accounts at their rate limit (`limits`) and the accounts in `busy`: those
        that already have a post in flight in the calling worker, so one account's posts
        (and a thread's parts) go out one at a time, in order, however many are in flight."""
        ...
    def extend(self, job_id: int, owner: str, *, lease: timedelta = DEFAULT_LEASE) -> bool: ...
    def succeed(self, job_id: int, owner: str, ref: RemoteRef, *, now: datetime,
                reconciled: bool = False) -> Job: ...
    def retry_later(self, job_id: int, owner: str, *, run_at: datetime, error: str,
                    now: datetime, uncertain: bool) -> Job: ...
    def fail(self, job_id: int, owner: str, *, error: str, now: datetime, uncertain: bool = False) -> Job: ...
    def release(self, job_id: int, owner: str, *, now: datetime) -> Job: ...
    def note(self, job_id: int, kind: str, *, now: datetime, owner: str | None = None,
             detail: str | None = None) -> None: ...
    def lease_owners(self) -> list[str]: ...
    def expire_leases(self, owner: str, *, now: datetime, reason: str) -> int: ...
    def next_wake(self, *, now: datetime, limits: Mapping[str, Limit] | None = None) -> datetime | None:
        """When a claim may next succeed, on the caller's clock (a lease's end, judged by the
        store's clock, is told as `now` plus the time it has left)."""
        ...
    def due(self, *, now: datetime, limit: int = 100) -> list[Job]: ...

    # inspection and admin
    def get(self, job_id: int) -> Job: ...
    def jobs(self, *, status: str | None = None, campaign: str | None = None,
             limit: int | None = None) -> list[Job]: ...
    def counts(self, *, campaign: str | None = None) -> dict[str, int]: ...
    def events(self, job_id: int) -> list[JobEvent]: ...
    def cancel(self, *, now: datetime, job_id: int | None = None, campaign: str | None = None) -> list[int]: ...
    def retry(self, job_id: int, *, now: datetime) -> Job: ...
    def reschedule(self, job_id: int, *, at: datetime, now: datetime) -> Job: ...
    def uncertain(self, job_id: int) -> bool: ...
    def scrub(self, *, now: datetime) -> list[int]: ...

    # media and wake-ups (issue 17: workers on several machines; see campaign.queue.media)
    def put_media(self, data: bytes, suffix: str) -> str:
        """Keep one image (once per content) and return what a queued `MediaRef.path` holds: a
        file in `media_dir` (SQLite, memory) or a content key `sha256:<hex><suffix>` (PostgreSQL)."""
        ...
    def media_file(self, ref: str) -> Path:
        """A local file with the image `ref` names (a content key is fetched from the store into
        the `media_dir` cache, checked against its hash); QueueError when the store lacks it."""
        ...
    def wait(self, timeout: float, *, stop: threading.Event | None = None) -> bool:
        """Sleep up to `timeout` seconds, or until `stop` is set; True when woken early because
        another process may have made a job claimable (PostgreSQL's LISTEN/NOTIFY: a job queued,
        retried, rescheduled or approved, a lease expired, a thread's part sent). A store that
        cannot be told (SQLite, memory) sleeps and returns False."""
        ...

    # review (`review: required`; the rules: campaign.queue.review)
    def approve(self, job_id: int, reviewer: str, *, now: datetime, note: str | None = None,
                bulk: bool = False, run_at: datetime | None = None) -> Approval:
        """`reviewer` approves the post (every queued part of the thread) `job_id` belongs to.
        Raises ReviewError when the rules refuse (bulk on an uncertain speaker, a reviewer not in
        the campaign's `reviewers`, a second approval by one person). When this approval
        completes the post and `run_at` is given, the post moves there (its later parts with it:
        a post approved after its slot goes at the next one, or now)."""
        ...
    def reject(self, job_id: int, reviewer: str, *, note: str, now: datetime) -> Job:
        """Reject the post `job_id` belongs to (every queued part); the note is required."""
        ...
    def pending(self, *, campaign: str | None = None, rejected: bool = False) -> list[Job]:
        """Queued (todo) jobs of review-required campaigns that wait for review, in schedule
        order; with `rejected`, the rejected ones instead."""
        ...
    def set_override(self, campaign: str, account: str, highlight_id: str, parts: tuple[str, ...], *,
                     by: str, now: datetime) -> None:
        """Keep a reviewer's edit of a post's text: `campaign queue` uses it instead of the
        composed text from now on (empty `parts`: remove the edit)."""
        ...
    def overrides(self, campaign: str) -> dict[tuple[str, str], tuple[str, ...]]:
        """The kept edits of a campaign's posts, by (account, highlight_id)."""
        ...
    def close(self) -> None: ...

    # metrics snapshots (`campaign report`): appended, never changed; only for succeeded jobs
    def record_metrics(self, readings: Mapping[int, Metrics], *, now: datetime) -> list[MetricsSnapshot]:
        """Store one snapshot per job id, at its `fetched_at` (else `now`), in one transaction.
        Raises QueueError (storing none) for an unknown job, one not `succeeded`, a negative count."""
        ...
    def latest_metrics(self, campaign: str) -> dict[int, MetricsSnapshot]:
        """The newest snapshot of each job of `campaign` that has one, by job id."""
        ...
    def metrics_history(self, campaign: str, *, job_id: int | None = None) -> list[MetricsSnapshot]:
        """Every snapshot of `campaign`'s jobs (or of one job), oldest first (by time, then id)."""
        ...


# --- pure helpers shared by every store ----------------------------------------------------


def ts(dt: datetime) -> str:
    """Aware datetime → fixed-width UTC text that sorts as time does."""
    return utc(dt).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text)  # "...Z" is UTC (Python 3.11)


def dedupe_key(campaign: str, highlight_id: str, account: str, part: int) -> str:
    """The job's identity across re-queues: one job per campaign, highlight, account and part."""
    return f"{campaign}/{highlight_id}/{account}/{part}"


def draft_to_json(draft: Draft) -> str:
    return json.dumps(asdict(draft), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def draft_from_json(text: str) -> Draft:
    d = json.loads(text)
    media = tuple(MediaRef(**m) for m in d.pop("media", ()))
    for key in ("parts", "lengths", "warnings"):
        d[key] = tuple(d.get(key, ()))
    d["names"] = tuple((str(h), str(n)) for h, n in d.get("names", ()))
    return Draft(**d, media=media)


def content_hash(draft: Draft, parts: int) -> str:
    """What makes an edit an edit: the text, media (by path: content-addressed) and thread size.

    Warnings and lengths are derived from the text and do not count.
    """
    body = {"text": draft.parts, "media": [(m.path, m.alt) for m in draft.media],
            "language": draft.language, "link": draft.link, "parts": parts, "platform": draft.platform}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]




DOUBTFUL_THREAD = "an earlier part of its thread may have landed; not changed until it is reconciled"


HAND_TIME_KEPT = "moved by hand; its time is kept (`campaign queue --replan` puts it back on the plan)"


def thread_rule(decided: tuple[Outcome, str], status: JobStatus, uncertain: bool, thread: tuple[str, str],
                part: int, requeued: Mapping[tuple[str, str], int],
                doubtful: set[tuple[str, str]]) -> tuple[Outcome, str]:
    """`decide`'s answer for one part, given the earlier parts of its thread seen in this enqueue
    (parts in order): a failed part is queued again with an earlier part queued again (`requeued`:
    thread → first part queued again), but kept while an earlier failed part may have landed
    (`doubtful`, to which a failed uncertain part adds its thread)."""
    if status != "failed":
        return decided
    if uncertain:
        doubtful.add(thread)
    elif thread in doubtful:
        return ("kept", DOUBTFUL_THREAD)
    elif decided[0] == "kept" and requeued.get(thread, part) < part:
        return ("requeued", "an earlier part of its thread was queued again")
    return decided


def cannot_cancel(job_id: int, status: str) -> QueueError:
    """The error for cancelling a job that is not queued (`todo`)."""
    hint = {"doing": "it is being sent right now", "succeeded": "it was already sent"}.get(
        status, f"it is already {status}")
    return QueueError(f"cannot cancel job #{job_id}: {hint}")


def cancel_detail(uncertain: bool) -> str:
    """The event detail of a job cancelled by hand."""
    return "cancelled by hand" + ("; an earlier attempt may have landed" if uncertain else "")


def check_new(campaign: str, nj: NewJob, wanted: set[str]) -> None:
    """Refuse (QueueError) a job of the plan that belongs to another campaign, is in it twice
    (`wanted`: the keys seen so far, to which it is added) or has a naive time."""
    if nj.campaign != campaign:
        raise QueueError(f"job {nj.dedupe_key} belongs to campaign {nj.campaign}, not {campaign}")
    if nj.dedupe_key in wanted:
        raise QueueError(f"the plan holds {nj.dedupe_key} twice")
    wanted.add(nj.dedupe_key)
    utc(nj.run_at)


def keeps_time(status: JobStatus, by_hand: str | None, replan: bool) -> bool:
    """True when re-queueing keeps a queued job's own time: the organizer moved it by hand
    (`reschedule`, `retry`) and did not ask to replan. Such a job keeps `by_hand` when updated;
    every other job updated or queued again takes the plan's time and forgets it."""
    return status == "todo" and by_hand == "time" and not replan


def decide(status: JobStatus, uncertain: bool, same_content: bool, same_time: bool, *,
           by_hand: str | None = None, replan: bool = False) -> tuple[Outcome, str]:
    """What re-queueing does to an existing job (pure; every store applies the same rule).

    Never touches a job that went out or may have gone out; updates one that has not.
    Keeps the organizer's edits (`by_hand`: "time" for a reschedule or retry by hand, "cancel"
    for a cancel by hand) unless `replan`; `same_time` compares the job's time with the plan's.
    A job cancelled because it left the config is queued again once it is back in it.
    """
    if status == "succeeded":
        return ("sent", "already sent; the edited draft was not posted" if not same_content else "")
    if status == "doing":
        return ("kept", "being sent right now; not changed")
    if status == "cancelled":
        if uncertain:
            return ("kept", "cancelled, and an earlier attempt may have landed; not queued again "
                            "(`campaign retry` looks for it first)")
        if by_hand == "cancel" and not replan:
            return ("kept", "cancelled by hand; not queued again (`campaign queue --replan` queues it)")
        if by_hand == "cancel":
            return ("requeued", "cancelled by hand; queued again at its plan slot (--replan)")
        return ("requeued", "back in the campaign config; queued again")
    if status == "todo" and not uncertain and by_hand == "time":
        if not replan:
            if same_content:
                return ("kept", HAND_TIME_KEPT) if not same_time else ("unchanged", "")
            return ("updated", "draft edited; " + HAND_TIME_KEPT)
        if not same_time:
            return ("updated", "moved by hand; back at its plan slot (--replan)"
                    + ("; draft edited" if not same_content else ""))
    if status == "failed":
        if uncertain:  # its last attempt may have landed: find() must look for what was sent
            return ("kept", "failed, but an attempt may have landed; not changed until it is reconciled "
                            "(`campaign retry` looks for it first)")
        if same_content:
            return ("kept", "failed; use `campaign retry` to send it again")
        return ("requeued", "failed before; the edited draft is queued again")
    if uncertain:  # todo after an ambiguous error: may have landed, keep what find() will look for
        return ("kept", "a previous attempt may have landed; not changed until it is reconciled")
    if same_content and same_time:
        return ("unchanged", "")
    return ("updated", "draft edited" if not same_content else "time changed")


# --- queueing a campaign -------------------------------------------------------------------



def keep_media(draft: Draft, media_dir: Path) -> Draft:
    """Copy the draft's images into the content-addressed folder `media_dir` (`FolderMedia`).

    The queued job then refers to a file that outlives the build folder; the same
    card queued twice is stored once, and an edited card gets a new path (an edit).
    """
    if not draft.media:
        return draft
    kept = [replace(m, path=folder_put(media_dir, read_media(m.path), Path(m.path).suffix)) for m in draft.media]
    return replace(draft, media=tuple(kept))


def new_jobs(campaign: str, planned: Iterable[PlannedPost], *, media_dir: Path | None,
             contexts: Mapping[str, ReviewContext] | None = None, store: Store | None = None) -> list[NewJob]:
    """One NewJob per planned part, each with its one-part draft (media on part 0 only) and
    its highlight's review context from `contexts` (by highlight id). Images are kept by
    `store` (`put_media`) when given, else copied into `media_dir`."""
    out = []
    for p in planned:
        d = p.draft
        one = d.part(p.part) if len(d.parts) > 1 else d
        if store is not None:
            one = store_media(one, store)
        elif media_dir is not None:
            one = keep_media(one, media_dir)
        out.append(NewJob(
            campaign=campaign, account=d.account, platform=d.platform, highlight_id=d.highlight_id,
            part=p.part, parts=len(d.parts), run_at=utc(p.at), zone=p.zone, draft=one, notes=p.notes,
            context=(contexts or {}).get(d.highlight_id),
        ))
    return out


def enqueue_plan(store: Store, record: CampaignRecord, planned: list[PlannedPost], *,
                 now: datetime, contexts: Mapping[str, ReviewContext] | None = None,
                 replan: bool = False) -> EnqueueReport:
    """Save the campaign's record and make its queued jobs match `planned` (see `decide`);
    `replan` puts the jobs the organizer moved or cancelled by hand back on the plan."""
    record = store.save_campaign(record, now=now)
    jobs = new_jobs(record.slug, planned, media_dir=None, contexts=contexts, store=store)
    return store.enqueue(record.slug, jobs, now=now, replan=replan)


def thread_head(store: Store, job_id: int) -> int:
    """The id of the first still-queued part of the thread `job_id` belongs to (`job_id` itself
    for a single post or a first part): cancelling from there leaves no "1/3" to go out alone."""
    job = store.get(job_id)
    if job.status != "todo" or job.part == 0:
        return job_id
    earlier = [j for j in store.jobs(status="todo", campaign=job.campaign)
               if (j.account, j.highlight_id) == (job.account, job.highlight_id) and j.part < job.part]
    return min(earlier, key=lambda j: j.part).id if earlier else job_id


def check_scope(store: Store, *, campaign: str | None = None, account: str | None = None) -> None:
    """Raise QueueError naming what the queue holds when `campaign` or `account` is not in it."""
    if campaign is not None and store.campaign(campaign) is None:
        known = ", ".join(c.slug for c in store.campaigns()) or "none"
        raise QueueError(f"no campaign '{campaign}' in the queue (queued: {known})")
    if account is not None:
        records = [store.campaign(campaign)] if campaign else store.campaigns()
        names = sorted({a for r in records if r is not None for a in r.accounts})
        if account not in names:
            raise QueueError(f"no account '{account}' in the queue" + (f" for campaign '{campaign}'" if campaign else "")
                             + f" (accounts: {', '.join(names) or 'none'})")


def retry_failed(store: Store, *, now: datetime, campaign: str | None = None,
                 account: str | None = None) -> list[Job]:
    """Queue every failed job (of a campaign and/or account) again, e.g. once credentials are fixed,
    each thread whole. Raises QueueError naming what the queue holds when `campaign` or `account`
    is not in it (a typo would otherwise retry nothing, silently)."""
    check_scope(store, campaign=campaign, account=account)
    done: list[Job] = []
    for job in sorted(store.jobs(status="failed", campaign=campaign), key=lambda j: (j.id, j.part)):
        if account and job.account != account:
            continue
        if store.get(job.id).status == "failed":  # an earlier part's retry may have requeued it
            done.append(store.retry(job.id, now=now))
    return done


def _part_key(job: Job, part: int | None = None) -> tuple[str, str, str, int]:
    return (job.campaign, job.account, job.highlight_id, job.part if part is None else part)


def next_due(store: Store, *, campaign: str | None = None, limit: int | None = 5) -> list[Job]:
    """Queued jobs in the order they will go out, naming a thread's part only once the part
    before it went out (a later part may carry an earlier `run_at` than its previous part when
    that part was retried later; it still waits for it)."""
    todo = store.jobs(status="todo", campaign=campaign)
    held = {(j.campaign, j.account, j.highlight_id) for j in store.pending(campaign=campaign)}
    held |= {(j.campaign, j.account, j.highlight_id) for j in store.pending(campaign=campaign, rejected=True)}
    todo = [j for j in todo if (j.campaign, j.account, j.highlight_id) not in held]  # waiting for review
    waiting = {_part_key(j) for j in todo}
    for state in ("doing", "failed", "cancelled"):
        waiting |= {_part_key(j) for j in store.jobs(status=state, campaign=campaign)}
    ready = send_order(j for j in todo if j.part == 0 or _part_key(j, j.part - 1) not in waiting)
    return ready if limit is None else ready[:limit]


def replace_thread(store: Store, job: Job, draft: Draft, *, now: datetime, note: str) -> EnqueueReport:
    """Queue `draft` in place of the thread `job` starts, none of whose parts has gone out: its
    parts' drafts are updated, parts added (each with its own key) or cancelled to match
    `draft`'s parts, through `enqueue`, so the rules of an organizer's edit apply (`decide`).
    Every other job of the campaign is passed through unchanged (a cancelled one is left out, so
    that it stays cancelled, whatever cancelled it). New parts go out at the last
    existing part's time; `note` goes into each part's event. Raises QueueError when a part of
    the thread is not waiting in `todo`."""
    jobs = store.jobs(campaign=job.campaign)
    thread = sorted((j for j in jobs if (j.account, j.highlight_id) == (job.account, job.highlight_id)),
                    key=lambda j: j.part)
    busy = [f"#{j.id} is {j.status}" for j in thread if j.status != "todo"]
    if busy or not thread:
        raise QueueError(f"cannot replace the thread of job #{job.id}: " + (", ".join(busy) or "no parts"))
    ids = {j.id for j in thread}
    others = [NewJob(j.campaign, j.account, j.platform, j.highlight_id, j.part, j.parts, j.run_at, j.zone,
                     j.draft) for j in jobs if j.id not in ids and j.status != "cancelled"]
    times = [j.run_at for j in thread]
    planned = [PlannedPost(draft, k, times[min(k, len(times) - 1)], job.zone, (note,))
               for k in range(len(draft.parts))]
    return store.enqueue(job.campaign, others + new_jobs(job.campaign, planned, media_dir=None), now=now)
