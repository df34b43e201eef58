"""Metrics snapshots in the SQLite store (`campaign report`): one row per reading of a published job.

A mixin that `SqliteStore` inherits; its SQL is in `campaign.queue.schema` (names `metrics_*`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from campaign.models import Metrics, MetricsSnapshot
from campaign.queue.metrics import check_reading, row_snapshot
from campaign.queue.schema import SQL
from campaign.queue.store import parse_ts, ts

if TYPE_CHECKING:
    from datetime import datetime


def snapshot_from_row(row: sqlite3.Row) -> MetricsSnapshot:
    return row_snapshot(row, parse_ts(row["at"]))


class SqliteMetrics:
    """`record_metrics`, `latest_metrics` and `metrics_history` on SQLite."""

    if TYPE_CHECKING:
        def _tx(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _read(self, name: str, params: Mapping[str, Any] | None = None) -> list[sqlite3.Row]: ...

    def record_metrics(self, readings: Mapping[int, Metrics], *, now: datetime) -> list[MetricsSnapshot]:
        out: list[MetricsSnapshot] = []
        with self._tx() as c:
            for job_id, m in readings.items():
                row = c.execute(SQL["metrics_job"], {"job_id": job_id}).fetchone()
                at = check_reading(job_id, None if row is None else row["status"], m, now)
                cur = c.execute(SQL["metrics_insert"], {
                    "job_id": job_id, "at": ts(at), "likes": m.likes, "reposts": m.reposts,
                    "replies": m.replies, "quotes": m.quotes, "gone": int(m.gone), "simulated": int(m.simulated),
                })
                stored = parse_ts(ts(at))
                out.append(MetricsSnapshot(int(cur.lastrowid or 0), job_id, stored,
                                           Metrics(m.likes, m.reposts, m.replies, m.quotes, m.gone,
                                                   m.simulated, stored)))
        return out

    def latest_metrics(self, campaign: str) -> dict[int, MetricsSnapshot]:
        return {s.job_id: s for s in map(snapshot_from_row, self._read("metrics_latest", {"campaign": campaign}))}

    def metrics_history(self, campaign: str, *, job_id: int | None = None) -> list[MetricsSnapshot]:
        rows = self._read("metrics_history", {"campaign": campaign, "job_id": job_id})
        return [snapshot_from_row(r) for r in rows]
