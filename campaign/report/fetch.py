"""Fetching fresh figures for a campaign's published posts, and storing them as snapshots.

`refresh_metrics` asks each account's adapter for the metrics of that account's published
(`succeeded`) jobs, in the batches the adapter takes (`metrics_batch`), and stores one
snapshot per post. It is incremental: a post read less than `min_age` ago, or already found
deleted, is not asked again unless `refresh`. A rate limit is waited out when the platform
asks for at most `max_wait` seconds, else the account's remaining posts are left for a later
run and the account is named. An account whose adapter fails, or has no `metrics`, is named
in `FetchSummary.failures`; every other account is still read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from campaign.errors import CampaignError, RateLimitedError
from campaign.models import Job, Metrics, RemoteRef
from campaign.queue import Store
from campaign.redact import redact

DEFAULT_MIN_AGE = timedelta(minutes=15)
DEFAULT_MAX_WAIT = 90.0  # seconds: a longer rate-limit wait is reported, not slept
DEFAULT_BATCH = 25
MAX_WAITS = 3  # rate-limit waits per account in one run

#: `progress(done, total)` after each batch
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Failure:
    """An account whose figures could not be read this time: `posts` of them were not read."""

    platform: str
    account: str
    message: str
    posts: int


@dataclass(frozen=True, slots=True)
class FetchSummary:
    """What one `refresh_metrics` did: posts read, skipped (fresh or gone), found gone, failed."""

    published: int = 0
    fetched: int = 0
    skipped: int = 0
    gone: int = 0
    waited: float = 0.0
    failures: tuple[Failure, ...] = field(default_factory=tuple)

    @property
    def nothing_read(self) -> bool:
        """True when there were posts to read and not one could be read."""
        return self.fetched == 0 and bool(self.failures)


def ref_of(job: Job) -> RemoteRef:
    """The RemoteRef `publish` returned for `job`, as the store kept it."""
    assert job.remote_id is not None
    return RemoteRef(job.remote_id, job.remote_url, dict(job.remote_extra))


def _due(store: Store, campaign: str, jobs: list[Job], now: datetime, min_age: timedelta,
         refresh: bool) -> tuple[list[Job], int]:
    if refresh:
        return jobs, 0
    latest = store.latest_metrics(campaign)
    due = []
    for job in jobs:
        snap = latest.get(job.id)
        if snap is not None and (snap.metrics.gone or now - snap.at < min_age):
            continue
        due.append(job)
    return due, len(jobs) - len(due)


def refresh_metrics(store: Store, campaign: str, adapters: Callable[[Job], Any], *, now: datetime,
                    refresh: bool = False, min_age: timedelta = DEFAULT_MIN_AGE,
                    max_wait: float = DEFAULT_MAX_WAIT, progress: Progress | None = None,
                    sleep: Callable[[float], Any] = time.sleep) -> FetchSummary:
    """Read fresh figures for every published job of `campaign` and store them (see module doc).

    `adapters(job)` returns the adapter of the job's account (e.g. `publish.worker.StoreAdapters`);
    `now` stamps the snapshots; `sleep` waits out a short rate limit (tests pass a fake one)."""
    published = [j for j in store.jobs(status="succeeded", campaign=campaign) if j.remote_id]
    due, skipped = _due(store, campaign, published, now, min_age, refresh)
    by_account: dict[tuple[str, str], list[Job]] = {}
    for job in due:
        by_account.setdefault((job.platform, job.account), []).append(job)
    summary = FetchSummary(published=len(published), skipped=skipped)
    done = 0
    total = len(due)
    if progress:
        progress(0, total)
    for (platform, account), jobs in sorted(by_account.items()):
        def step(n: int, before: int = done) -> None:
            if progress:
                progress(before + n, total)

        summary = _read_account(store, platform, account, jobs, adapters, summary, now=now,
                                max_wait=max_wait, sleep=sleep, progress=step)
        done += len(jobs)
        step(0)
    return summary


def _read_account(store: Store, platform: str, account: str, jobs: list[Job], adapters: Callable[[Job], Any],
                  summary: FetchSummary, *, now: datetime, max_wait: float, sleep: Callable[[float], Any],
                  progress: Callable[[int], None]) -> FetchSummary:
    """Read one account's posts batch by batch; a failure names the account and what was left."""
    def failed(message: str, left: int) -> FetchSummary:
        f = Failure(platform, account, redact(message), left)
        return replace(summary, failures=(*summary.failures, f))

    try:
        adapter = adapters(jobs[0])
    except CampaignError as e:
        return failed(str(e), len(jobs))
    fetch = getattr(adapter, "metrics", None)
    if not callable(fetch):
        name = getattr(adapter, "name", platform)
        return failed(f"the '{name}' adapter cannot read metrics (it has no `metrics`)", len(jobs))
    size = max(1, int(getattr(adapter, "metrics_batch", DEFAULT_BATCH) or DEFAULT_BATCH))
    i = waits = 0
    while i < len(jobs):
        batch = jobs[i:i + size]
        try:
            got: dict[str, Metrics] = fetch([ref_of(j) for j in batch])
        except RateLimitedError as e:
            if e.retry_after <= max_wait and waits < MAX_WAITS:
                waits += 1
                sleep(e.retry_after)
                summary = replace(summary, waited=summary.waited + e.retry_after)
                continue
            return failed(f"rate limited; {len(jobs) - i} post(s) left for a later run "
                          f"(retry in {e.retry_after:.0f}s): {e}", len(jobs) - i)
        except CampaignError as e:
            return failed(str(e), len(jobs) - i)
        except Exception as e:  # a plugin's bug must not take the report down
            return failed(f"{type(e).__name__}: {e}", len(jobs) - i)
        readings = {j.id: got[j.remote_id] for j in batch if j.remote_id in got}
        missing = len(batch) - len(readings)
        store.record_metrics({k: replace(m, fetched_at=None) for k, m in readings.items()}, now=now)
        gone = sum(1 for m in readings.values() if m.gone)
        summary = replace(summary, fetched=summary.fetched + len(readings), gone=summary.gone + gone)
        if missing:
            summary = failed(f"the adapter returned no figures for {missing} post(s)", missing)
        i += size
        progress(min(i, len(jobs)))
    return summary
