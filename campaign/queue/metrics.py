"""Rules every store keeps for metrics snapshots (`campaign report`), and the in-memory mixin.

A snapshot is one reading of a published job's engagement (`campaign.models.Metrics`) with
the time it was fetched. Snapshots are appended, never changed: the report's growth chart
is drawn from them. Only a job that went out (`succeeded`) has metrics.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from campaign.errors import QueueError
from campaign.models import Metrics, MetricsSnapshot, utc

if TYPE_CHECKING:
    from datetime import datetime


def check_reading(job_id: int, status: str | None, m: Metrics, now: datetime) -> datetime:
    """The time to store `m` at (its `fetched_at`, else `now`), after checking it may be stored:
    the job exists and went out, and no count is negative. Raises QueueError."""
    if status is None:
        raise QueueError(f"no job #{job_id}")
    if status != "succeeded":
        raise QueueError(f"job #{job_id} is {status}: only a published post has metrics")
    for name in ("likes", "reposts", "replies", "quotes"):
        value = getattr(m, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise QueueError(f"job #{job_id}: {name} must be a count (0 or more), not {value!r}")
    return utc(m.fetched_at or now)


def row_snapshot(row: Any, at: datetime) -> MetricsSnapshot:
    """A stored snapshot from a `metrics` row (SQLite or PostgreSQL), read at `at` (the row's
    time as an aware datetime: each database stores it its own way)."""
    return MetricsSnapshot(
        id=row["id"], job_id=row["job_id"], at=at,
        metrics=Metrics(likes=row["likes"], reposts=row["reposts"], replies=row["replies"],
                        quotes=row["quotes"], gone=bool(row["gone"]), simulated=bool(row["simulated"]),
                        fetched_at=at),
    )


class MemoryMetrics:
    """`record_metrics`, `latest_metrics` and `metrics_history` for `MemoryStore`."""

    if TYPE_CHECKING:
        _jobs: dict[int, Any]  # the store's rows (with `.campaign` and `.status`)
        _metrics: list[MetricsSnapshot]

        def _read(self) -> AbstractContextManager[None]: ...

    def _job_state(self, job_id: int) -> tuple[str, str] | None:
        row = self._jobs.get(job_id)
        return None if row is None else (str(row.campaign), str(row.status))

    def record_metrics(self, readings: Mapping[int, Metrics], *, now: datetime) -> list[MetricsSnapshot]:
        with self._read():
            checked = []
            for job_id, m in readings.items():
                state = self._job_state(job_id)
                at = check_reading(job_id, None if state is None else state[1], m, now)
                checked.append((job_id, replace(m, fetched_at=at)))
            out = [MetricsSnapshot(len(self._metrics) + i + 1, job_id, m.fetched_at or now, m)
                   for i, (job_id, m) in enumerate(checked)]
            self._metrics.extend(out)
            return out

    def _of(self, campaign: str, job_id: int | None) -> Iterator[MetricsSnapshot]:
        for s in sorted(self._metrics, key=lambda s: (s.at, s.id)):
            state = self._job_state(s.job_id)
            if state is not None and state[0] == campaign and (job_id is None or s.job_id == job_id):
                yield s

    def latest_metrics(self, campaign: str) -> dict[int, MetricsSnapshot]:
        with self._read():
            latest: dict[int, MetricsSnapshot] = {}
            for s in self._of(campaign, None):
                latest[s.job_id] = s
            return dict(sorted(latest.items()))

    def metrics_history(self, campaign: str, *, job_id: int | None = None) -> list[MetricsSnapshot]:
        with self._read():
            return list(self._of(campaign, job_id))
