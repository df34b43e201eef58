"""Review on the SQLite store (`SqliteStore` inherits `SqliteReview`); rules: campaign.queue.review.

Every method is one `BEGIN IMMEDIATE` transaction of the store, so an approval and a worker's
claim never interleave: the claim (campaign.queue.schema `REVIEWED`) sees a post approved or not.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from campaign.errors import QueueError, ReviewError
from campaign.models import Job
from campaign.queue.review import (
    Approval,
    apply_review_sync,
    approval_shift,
    approvals_from_json,
    approvals_to_json,
    approve_rule,
    context_from_json,
    reject_rule,
    reviewer_name,
)
from campaign.queue.schema import SQL
from campaign.queue.store import CampaignRecord, NewJob, parse_ts, ts


class SqliteReview:
    """Approvals, rejections, pending posts and kept edits, on the store's connection."""

    _tx: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _read: Callable[..., list[sqlite3.Row]]
    _event: Callable[..., None]
    # the store's row mappers, set by SqliteStore (a mixin never imports the store: no cycle)
    _job_from_row: Callable[[sqlite3.Row], Job]
    _listed_job: Callable[[sqlite3.Row], Job]
    _record_from_row: Callable[[sqlite3.Row], CampaignRecord]

    # -- the campaign's policy, saved with its record ----------------------------------------

    @staticmethod
    def _save_review_policy(c: sqlite3.Connection, record: CampaignRecord) -> sqlite3.Row:
        row: sqlite3.Row = c.execute(SQL["review_policy"], {
            "slug": record.slug, "review": record.review, "approvals": record.approvals,
            "reviewers": json.dumps(list(record.reviewers), ensure_ascii=False)}).fetchone()
        return row

    # -- enqueue: keep contexts, send changed posts back to pending --------------------------

    def _review_sync(self, c: sqlite3.Connection, campaign: str, jobs: list[NewJob], n: str) -> None:
        """After an enqueue (same transaction): store each job's review context, and reset a
        thread whose decided content changed (or gained an undecided part) to pending."""
        apply_review_sync(c, SQL, campaign, jobs, n,
                          lambda job_id, detail: self._event(c, job_id, "review-reset", n, 0, None, detail))

    # -- decisions ------------------------------------------------------------------------------

    def _thread(self, c: sqlite3.Connection, job_id: int) -> tuple[CampaignRecord, list[sqlite3.Row]]:
        """The job's campaign and the queued (todo) parts of its thread; ReviewError when none is."""
        row = c.execute(SQL["get"], {"id": job_id}).fetchone()
        if row is None:
            raise QueueError(f"no job #{job_id}")
        rec = c.execute(SQL["campaign"], {"slug": row["campaign"]}).fetchone()
        thread = c.execute(SQL["review_thread"], {"campaign": row["campaign"], "account": row["account"],
                                                  "highlight_id": row["highlight_id"]}).fetchall()
        todo = [r for r in thread if r["status"] == "todo"]
        if not todo:
            raise ReviewError(f"job #{job_id} is {row['status']}; only queued posts are reviewed", job_id=job_id)
        return self._record_from_row(rec), todo

    def approve(self, job_id: int, reviewer: str, *, now: datetime, note: str | None = None,
                bulk: bool = False, run_at: datetime | None = None) -> Approval:
        n = ts(now)
        with self._tx() as c:
            record, todo = self._thread(c, job_id)
            name = reviewer_name(reviewer, record.reviewers, job_id)
            first = self._job_from_row(todo[0])
            decision = approve_rule(first, name, needed=record.approvals, bulk=bulk, note=note)
            out = []
            delta = approval_shift(first, decision, run_at)
            moved = first.run_at if delta is not None else None
            for r in todo:
                new = c.execute(SQL["review_set"], {"id": r["id"], "review": decision.state, "now": n,
                                                    "approvals": approvals_to_json(decision.approvals)}).fetchone()
                self._event(c, r["id"], decision.kind, n, r["attempts"], name, decision.detail or None)
                if delta is not None:
                    at = ts(parse_ts(r["run_at"]) + delta)
                    new = c.execute(SQL["review_move"], {"id": r["id"], "run_at": at, "now": n}).fetchone()
                    self._event(c, r["id"], "rescheduled", n, r["attempts"], name,
                                f"{r['run_at']} -> {at} (moved when approved)")
                out.append(self._job_from_row(new))
        return Approval(tuple(out), decision.state, decision.approvals, record.approvals, moved)

    def reject(self, job_id: int, reviewer: str, *, note: str, now: datetime) -> Job:
        n = ts(now)
        with self._tx() as c:
            record, todo = self._thread(c, job_id)
            name = reviewer_name(reviewer, record.reviewers, job_id)
            text = reject_rule(self._job_from_row(todo[0]), note)
            out = []
            for r in todo:
                out.append(self._job_from_row(c.execute(SQL["review_set"], {
                    "id": r["id"], "review": "rejected", "approvals": "[]", "now": n}).fetchone()))
                self._event(c, r["id"], "rejected", n, r["attempts"], name, text)
        return next((j for j in out if j.id == job_id), out[0])

    def pending(self, *, campaign: str | None = None, rejected: bool = False) -> list[Job]:
        rows = self._read("review_pending", {"campaign": campaign, "review": "rejected" if rejected else "pending"})
        return [self._listed_job(r) for r in rows]

    # -- kept edits -----------------------------------------------------------------------------

    def set_override(self, campaign: str, account: str, highlight_id: str, parts: tuple[str, ...], *,
                     by: str, now: datetime) -> None:
        key = {"campaign": campaign, "account": account, "highlight_id": highlight_id}
        with self._tx() as c:
            if c.execute(SQL["campaign"], {"slug": campaign}).fetchone() is None:
                raise QueueError(f"no campaign '{campaign}' in the queue")
            if parts:
                c.execute(SQL["override_set"], {**key, "parts": json.dumps(list(parts), ensure_ascii=False),
                                                "by": by, "at": ts(now)})
            else:
                c.execute(SQL["override_delete"], key)

    def overrides(self, campaign: str) -> dict[tuple[str, str], tuple[str, ...]]:
        return {(r["account"], r["highlight_id"]): tuple(json.loads(r["parts"]))
                for r in self._read("overrides", {"campaign": campaign})}


def review_fields(row: sqlite3.Row | Mapping[str, Any]) -> dict[str, Any]:
    """The review columns of a job row as Job fields (the row mapper's share)."""
    keys = set(row.keys())
    if "review" not in keys:
        return {}
    return {"review": row["review"], "approvals": approvals_from_json(row["approvals"]),
            "approved_text": row["approved_text"], "context": context_from_json(row["context"])}
