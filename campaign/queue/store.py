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
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from campaign.errors import QueueError
from campaign.models import Draft, Job, JobStatus, MediaRef, PlannedPost, RemoteRef, utc

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
        for k, what in (("sent", "already sent, left alone"), ("kept", "left alone"),
                        ("cancelled", "cancelled (no longer in the config)")):
            if c.get(k):
                text += f"; {c[k]} {what}"
        if self.late:
            ids = ", ".join(f"#{i}" for i in self.late[:5]) + (", ..." if len(self.late) > 5 else "")
            text += (f"; warning: {len(self.late)} new post(s) fall on slots already past and go out at "
                     f"the next run ({ids}; move them with `campaign reschedule JOB --at ...`)")
        return text


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
    def enqueue(self, campaign: str, jobs: list[NewJob], *, now: datetime) -> EnqueueReport: ...

    # the worker
    def claim(self, owner: str, *, now: datetime, lease: timedelta = DEFAULT_LEASE,
              limits: Mapping[str, Limit] | None = None) -> Claim | None: ...
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
    def close(self) -> None: ...


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


def decide(status: JobStatus, uncertain: bool, same_content: bool, same_time: bool) -> tuple[Outcome, str]:
    """What re-queueing does to an existing job (pure; every store applies the same rule).

    Never touches a job that went out or may have gone out; updates one that has not.
    """
    if status == "succeeded":
        return ("sent", "already sent; the edited draft was not posted" if not same_content else "")
    if status == "doing":
        return ("kept", "being sent right now; not changed")
    if status == "cancelled":
        return ("kept", "cancelled; not queued again")
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
    """Copy the draft's images into the store's content-addressed media folder.

    The queued job then refers to a file that outlives the build folder; the same
    card queued twice is stored once, and an edited card gets a new path (an edit).
    """
    if not draft.media:
        return draft
    kept = []
    for m in draft.media:
        src = Path(m.path)
        try:
            data = src.read_bytes()
        except OSError as e:
            raise QueueError(f"cannot read media {src}: {e.strerror or e}") from None
        digest = hashlib.sha256(data).hexdigest()
        dest = media_dir / f"{digest[:32]}{src.suffix.lower()}"
        if not dest.exists():
            media_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=media_dir, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, dest)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        kept.append(replace(m, path=str(dest)))
    return replace(draft, media=tuple(kept))


def new_jobs(campaign: str, planned: Iterable[PlannedPost], *, media_dir: Path | None) -> list[NewJob]:
    """One NewJob per planned part, each with its one-part draft (media on part 0 only)."""
    out = []
    for p in planned:
        d = p.draft
        one = d.part(p.part) if len(d.parts) > 1 else d
        if media_dir is not None:
            one = keep_media(one, media_dir)
        out.append(NewJob(
            campaign=campaign, account=d.account, platform=d.platform, highlight_id=d.highlight_id,
            part=p.part, parts=len(d.parts), run_at=utc(p.at), zone=p.zone, draft=one, notes=p.notes,
        ))
    return out


def enqueue_plan(store: Store, record: CampaignRecord, planned: list[PlannedPost], *,
                 now: datetime) -> EnqueueReport:
    """Save the campaign's record and make its queued jobs match `planned` (see `decide`)."""
    record = store.save_campaign(record, now=now)
    return store.enqueue(record.slug, new_jobs(record.slug, planned, media_dir=store.media_dir), now=now)


def retry_failed(store: Store, *, now: datetime, campaign: str | None = None,
                 account: str | None = None) -> list[Job]:
    """Queue every failed job (of a campaign and/or account) again, e.g. once credentials are fixed."""
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
    waiting = {_part_key(j) for j in todo}
    for state in ("doing", "failed", "cancelled"):
        waiting |= {_part_key(j) for j in store.jobs(status=state, campaign=campaign)}
    ready = [j for j in todo if j.part == 0 or _part_key(j, j.part - 1) not in waiting]
    return ready if limit is None else ready[:limit]


def replace_thread(store: Store, job: Job, draft: Draft, *, now: datetime, note: str) -> EnqueueReport:
    """Queue `draft` in place of the thread `job` starts, none of whose parts has gone out: its
    parts' drafts are updated, parts added (each with its own key) or cancelled to match
    `draft`'s parts, through `enqueue`, so the rules of an organizer's edit apply (`decide`).
    Every other job of the campaign is passed through unchanged. New parts go out at the last
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
                     j.draft) for j in jobs if j.id not in ids]
    times = [j.run_at for j in thread]
    planned = [PlannedPost(draft, k, times[min(k, len(times) - 1)], job.zone, (note,))
               for k in range(len(draft.parts))]
    return store.enqueue(job.campaign, others + new_jobs(job.campaign, planned, media_dir=None), now=now)
