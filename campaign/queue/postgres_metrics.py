"""Metrics snapshots in the PostgreSQL store (`campaign report`): one row per reading of a published
job; the rules: `campaign.queue.metrics`. A mixin that `PostgresStore` inherits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from campaign.models import Metrics, MetricsSnapshot
from campaign.queue.metrics import check_reading, row_snapshot
from campaign.queue.postgres_schema import SQL

if TYPE_CHECKING:
    from campaign.queue.postgres_admin import Cursor

T = TypeVar("T")


def snapshot_from_row(row: Mapping[str, Any]) -> MetricsSnapshot:
    return row_snapshot(row, row["at"].astimezone(UTC))


class PostgresMetrics:
    """`record_metrics`, `latest_metrics` and `metrics_history` on PostgreSQL."""

    if TYPE_CHECKING:
        def _run(self, fn: Callable[[Cursor], T]) -> T: ...

    def record_metrics(self, readings: Mapping[int, Metrics], *, now: datetime) -> list[MetricsSnapshot]:
        def tx(c: Cursor) -> list[MetricsSnapshot]:
            out: list[MetricsSnapshot] = []
            for job_id, m in readings.items():
                row = c.execute(SQL["metrics_job"], {"job_id": job_id}).fetchone()
                at = check_reading(job_id, None if row is None else row["status"], m, now).astimezone(UTC)
                got = c.execute(SQL["metrics_insert"], {
                    "job_id": job_id, "at": at, "likes": m.likes, "reposts": m.reposts, "replies": m.replies,
                    "quotes": m.quotes, "gone": bool(m.gone), "simulated": bool(m.simulated)}).fetchone()
                assert got is not None
                out.append(MetricsSnapshot(int(got["id"]), job_id, at, Metrics(
                    m.likes, m.reposts, m.replies, m.quotes, m.gone, m.simulated, at)))
            return out

        return self._run(tx)

    def latest_metrics(self, campaign: str) -> dict[int, MetricsSnapshot]:
        rows = self._run(lambda c: c.execute(SQL["metrics_latest"], {"campaign": campaign}).fetchall())
        return {s.job_id: s for s in map(snapshot_from_row, rows)}

    def metrics_history(self, campaign: str, *, job_id: int | None = None) -> list[MetricsSnapshot]:
        rows = self._run(lambda c: c.execute(SQL["metrics_history"], {"campaign": campaign,
                                                                      "job_id": job_id}).fetchall())
        return [snapshot_from_row(r) for r in rows]
