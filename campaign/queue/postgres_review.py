"""Review on the PostgreSQL store (`PostgresStore` inherits `PostgresReview`); rules: campaign.queue.review.

Every method is one transaction that locks the thread's rows, so an approval and a worker's
claim never interleave: the claim (`REVIEWED` in campaign.queue.postgres_schema) sees a post
approved or not. An approval NOTIFYs the queue: an idle worker sends the post at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from campaign.errors import QueueError, ReviewError
from campaign.models import Job, utc
from campaign.queue.postgres_schema import SQL
from campaign.queue.review import (
    Approval,
    apply_review_sync,
    approval_shift,
    approvals_to_json,
    approve_rule,
    reject_rule,
    reviewer_name,
)
from campaign.queue.store import CampaignRecord, NewJob, ts

if TYPE_CHECKING:
    from campaign.queue.postgres_admin import Cursor

T = TypeVar("T")


class PostgresReview:
    """Approvals, rejections, pending posts and kept edits."""

    if TYPE_CHECKING:
        def _run(self, fn: Callable[[Cursor], T]) -> T: ...
        def _notify(self, c: Cursor) -> None: ...
        @staticmethod
        def _event(c: Cursor, job_id: int, kind: str, at: datetime, attempt: int, owner: str | None = None,
                   detail: str | None = None) -> None: ...

    # -- the campaign's policy, saved with its record ----------------------------------------

    @staticmethod
    def _save_review_policy(c: Cursor, record: CampaignRecord) -> dict[str, Any]:
        row = c.execute(SQL["review_policy"], {
            "slug": record.slug, "review": record.review, "approvals": record.approvals,
            "reviewers": json.dumps(list(record.reviewers), ensure_ascii=False)}).fetchone()
        assert row is not None
        return row

    # -- enqueue: keep contexts, send changed posts back to pending --------------------------

    def _review_sync(self, c: Cursor, campaign: str, jobs: list[NewJob], n: datetime) -> None:
        """After an enqueue (same transaction): store each job's review context, and reset a
        thread whose decided content changed (or gained an undecided part) to pending."""
        apply_review_sync(c, SQL, campaign, jobs, n,
                          lambda job_id, detail: self._event(c, job_id, "review-reset", n, 0, None, detail))

    # -- decisions ------------------------------------------------------------------------------

    @staticmethod
    def _thread(c: Cursor, job_id: int) -> tuple[CampaignRecord, list[dict[str, Any]]]:
        from campaign.queue.postgres_admin import campaign_from_row

        row = c.execute(SQL["get"], {"id": job_id}).fetchone()
        if row is None:
            raise QueueError(f"no job #{job_id}")
        rec = c.execute(SQL["campaign"], {"slug": row["campaign"]}).fetchone()
        assert rec is not None
        thread = c.execute(SQL["review_thread"], {"campaign": row["campaign"], "account": row["account"],
                                                  "highlight_id": row["highlight_id"]}).fetchall()
        todo = [r for r in thread if r["status"] == "todo"]
        if not todo:
            status = next((r["status"] for r in thread if r["id"] == job_id), row["status"])
            raise ReviewError(f"job #{job_id} is {status}; only queued posts are reviewed", job_id=job_id)
        return campaign_from_row(rec), todo

    def approve(self, job_id: int, reviewer: str, *, now: datetime, note: str | None = None,
                bulk: bool = False, run_at: datetime | None = None) -> Approval:
        from campaign.queue.postgres_admin import job_from_row

        n = utc(now)

        def tx(c: Cursor) -> Approval:
            record, todo = self._thread(c, job_id)
            name = reviewer_name(reviewer, record.reviewers, job_id)
            first = job_from_row(todo[0])
            decision = approve_rule(first, name, needed=record.approvals, bulk=bulk, note=note)
            out = []
            delta = approval_shift(first, decision, run_at)
            moved = first.run_at if delta is not None else None
            for r in todo:
                new = c.execute(SQL["review_set"], {"id": r["id"], "review": decision.state, "now": n,
                                                    "approvals": approvals_to_json(decision.approvals)}).fetchone()
                self._event(c, r["id"], decision.kind, n, r["attempts"], name, decision.detail or None)
                if delta is not None:
                    old = r["run_at"].astimezone(UTC)
                    new = c.execute(SQL["review_move"], {"id": r["id"], "run_at": old + delta, "now": n}).fetchone()
                    self._event(c, r["id"], "rescheduled", n, r["attempts"], name,
                                f"{ts(old)} -> {ts(old + delta)} (moved when approved)")
                assert new is not None
                out.append(job_from_row(new))
            if decision.state == "approved":
                self._notify(c)
            return Approval(tuple(out), decision.state, decision.approvals, record.approvals, moved)

        return self._run(tx)

    def reject(self, job_id: int, reviewer: str, *, note: str, now: datetime) -> Job:
        from campaign.queue.postgres_admin import job_from_row

        n = utc(now)

        def tx(c: Cursor) -> Job:
            record, todo = self._thread(c, job_id)
            name = reviewer_name(reviewer, record.reviewers, job_id)
            text = reject_rule(job_from_row(todo[0]), note)
            out = []
            for r in todo:
                row = c.execute(SQL["review_set"], {"id": r["id"], "review": "rejected", "approvals": "[]",
                                                    "now": n}).fetchone()
                assert row is not None
                out.append(job_from_row(row))
                self._event(c, r["id"], "rejected", n, r["attempts"], name, text)
            return next((j for j in out if j.id == job_id), out[0])

        return self._run(tx)

    def pending(self, *, campaign: str | None = None, rejected: bool = False) -> list[Job]:
        from campaign.queue.postgres_admin import listed_job

        params = {"campaign": campaign, "review": "rejected" if rejected else "pending"}
        return [listed_job(r) for r in self._run(lambda c: c.execute(SQL["review_pending"], params).fetchall())]

    # -- kept edits -----------------------------------------------------------------------------

    def set_override(self, campaign: str, account: str, highlight_id: str, parts: tuple[str, ...], *,
                     by: str, now: datetime) -> None:
        key = {"campaign": campaign, "account": account, "highlight_id": highlight_id}

        def tx(c: Cursor) -> None:
            if c.execute(SQL["campaign"], {"slug": campaign}).fetchone() is None:
                raise QueueError(f"no campaign '{campaign}' in the queue")
            if parts:
                c.execute(SQL["override_set"], {**key, "parts": json.dumps(list(parts), ensure_ascii=False),
                                                "by": by, "at": utc(now)})
            else:
                c.execute(SQL["override_delete"], key)

        self._run(tx)

    def overrides(self, campaign: str) -> dict[tuple[str, str], tuple[str, ...]]:
        rows = self._run(lambda c: c.execute(SQL["overrides"], {"campaign": campaign}).fetchall())
        return {(r["account"], r["highlight_id"]): tuple(json.loads(r["parts"])) for r in rows}
