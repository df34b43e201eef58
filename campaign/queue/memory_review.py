"""Review on the in-memory store (`MemoryStore` inherits `MemoryReview`), decision for decision
the same as `campaign.queue.sqlite_review`; the rules: campaign.queue.review."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from campaign.errors import QueueError, ReviewError
from campaign.models import Job, utc
from campaign.queue.review import (
    Approval,
    approval_shift,
    approve_rule,
    context_from_json,
    context_to_json,
    needs_reset,
    reject_rule,
    reset_detail,
    reviewer_name,
)
from campaign.queue.store import CampaignRecord, NewJob, ts

if TYPE_CHECKING:
    from campaign.queue.memory import _Row


class MemoryReview:
    """Approvals, rejections, pending posts and kept edits, in the store's memory."""

    _jobs: dict[int, _Row]
    _campaigns: dict[str, tuple[CampaignRecord, str]]
    _tx: Callable[[], AbstractContextManager[None]]
    _read: Callable[[], AbstractContextManager[None]]
    _event: Callable[..., None]
    _put: Callable[[_Row], _Row]
    _row: Callable[[int], _Row]
    _to_job: Callable[[_Row], Job]  # the store's row mapper, set by MemoryStore (no import cycle)

    def _overrides_map(self) -> dict[tuple[str, str, str], tuple[str, ...]]:
        if not hasattr(self, "_kept_edits"):
            self._kept_edits: dict[tuple[str, str, str], tuple[str, ...]] = {}
        return self._kept_edits

    def _reviewed(self, row: _Row) -> bool:
        """Claimable as far as review goes: approved, or its campaign does not require review."""
        saved = self._campaigns.get(row.campaign)
        return row.review == "approved" or saved is None or saved[0].review != "required"

    def _review_sync(self, campaign: str, jobs: list[NewJob], now: datetime) -> None:
        """After an enqueue (same transaction): keep each job's context; a thread whose decided
        content changed (or gained an undecided part) goes back to pending."""
        contexts = {(nj.account, nj.highlight_id): context_to_json(nj.context) for nj in jobs if nj.context}
        threads: dict[tuple[str, str], list[_Row]] = {}
        for r in sorted(self._jobs.values(), key=lambda r: (r.account, r.highlight_id, r.part)):
            if r.campaign != campaign or r.status != "todo":
                continue
            threads.setdefault((r.account, r.highlight_id), []).append(r)
            ctx = contexts.get((r.account, r.highlight_id))
            if ctx is not None and ctx != r.context:
                self._put(replace(r, context=ctx))
        for parts in threads.values():
            if not needs_reset((p.review, p.reviewed_hash, p.content_hash) for p in parts):
                continue
            decided = next(p for p in parts if p.review != "pending")
            detail = reset_detail(decided.approvals, decided.review)
            for p in parts:
                self._put(replace(self._jobs[p.id], review="pending", approvals=(), reviewed_hash=None,
                                  updated_at=utc(now)))
                self._event(p.id, "review-reset", now, 0, None, detail)

    def _review_thread(self, job_id: int) -> tuple[CampaignRecord, list[_Row]]:
        row = self._row(job_id)
        todo = sorted((r for r in self._jobs.values() if r.thread == row.thread and r.status == "todo"),
                      key=lambda r: r.part)
        if not todo:
            raise ReviewError(f"job #{job_id} is {row.status}; only queued posts are reviewed", job_id=job_id)
        return self._campaigns[row.campaign][0], todo

    def approve(self, job_id: int, reviewer: str, *, now: datetime, note: str | None = None,
                bulk: bool = False, run_at: datetime | None = None) -> Approval:
        now = utc(now)
        with self._tx():
            record, todo = self._review_thread(job_id)
            name = reviewer_name(reviewer, record.reviewers, job_id)
            first = self._to_job(todo[0])
            decision = approve_rule(first, name, needed=record.approvals, bulk=bulk, note=note)
            delta = approval_shift(first, decision, run_at)
            moved = first.run_at if delta is not None else None
            out = []
            for r in todo:
                text = json.loads(r.draft)["parts"][0] if decision.state == "approved" else r.approved_text
                new = self._put(replace(r, review=decision.state, approvals=decision.approvals,
                                        reviewed_hash=r.content_hash, approved_text=text, updated_at=now))
                self._event(r.id, decision.kind, now, r.attempts, name, decision.detail or None)
                if delta is not None:
                    new = self._put(replace(new, run_at=r.run_at + delta, by_hand="time"))
                    self._event(r.id, "rescheduled", now, r.attempts, name,
                                f"{ts(r.run_at)} -> {ts(new.run_at)} (moved when approved)")
                out.append(self._to_job(new))
        return Approval(tuple(out), decision.state, decision.approvals, record.approvals, moved)

    def reject(self, job_id: int, reviewer: str, *, note: str, now: datetime) -> Job:
        now = utc(now)
        with self._tx():
            record, todo = self._review_thread(job_id)
            name = reviewer_name(reviewer, record.reviewers, job_id)
            text = reject_rule(self._to_job(todo[0]), note)
            out = []
            for r in todo:
                out.append(self._to_job(self._put(replace(r, review="rejected", approvals=(),
                                                  reviewed_hash=r.content_hash, updated_at=now))))
                self._event(r.id, "rejected", now, r.attempts, name, text)
        return next((j for j in out if j.id == job_id), out[0])

    def pending(self, *, campaign: str | None = None, rejected: bool = False) -> list[Job]:
        state = "rejected" if rejected else "pending"
        with self._read():
            rows = [r for r in self._jobs.values() if r.status == "todo" and r.review == state
                    and (campaign is None or r.campaign == campaign) and not self._reviewed(r)]
        return [self._to_job(r) for r in sorted(rows, key=lambda r: (r.run_at, r.id))]

    def set_override(self, campaign: str, account: str, highlight_id: str, parts: tuple[str, ...], *,
                     by: str, now: datetime) -> None:
        with self._tx():
            if campaign not in self._campaigns:
                raise QueueError(f"no campaign '{campaign}' in the queue")
            kept = self._overrides_map()
            if parts:
                kept[(campaign, account, highlight_id)] = tuple(parts)
            else:
                kept.pop((campaign, account, highlight_id), None)

    def overrides(self, campaign: str) -> dict[tuple[str, str], tuple[str, ...]]:
        with self._read():
            return {(a, h): p for (c, a, h), p in self._overrides_map().items() if c == campaign}


def review_fields(row: Any) -> dict[str, Any]:
    """The review fields of a memory row as Job fields."""
    return {"review": row.review, "approvals": tuple(row.approvals), "approved_text": row.approved_text,
            "context": context_from_json(row.context)}
