"""Which highlights the volunteer pack may show when the campaign requires review."""

from __future__ import annotations

from pathlib import Path

from campaign.models import Highlight, Job
from campaign.queue.store import Store


def signed_off(job: Job) -> bool:
    """Approved, or already on its way out (it was approved, or review was off, when claimed)."""
    return job.review == "approved" or job.status in ("doing", "succeeded")


def approved_highlights(store: Store, campaign: str) -> set[str]:
    """Highlights every one of whose queued posts is signed off (none pending or rejected);
    cancelled posts do not count. A highlight never queued is not approved."""
    by_highlight: dict[str, list[Job]] = {}
    for j in store.jobs(campaign=campaign):
        if j.status != "cancelled":
            by_highlight.setdefault(j.highlight_id, []).append(j)
    return {h for h, jobs in by_highlight.items() if all(signed_off(j) for j in jobs)}


def approved_from_queue(db: str | Path | None, campaign: str) -> set[str]:
    """`approved_highlights` from the queue database `db` (else $CAMPAIGN_DB or the default);
    none when that database does not exist (nothing was queued, so nothing was approved)."""
    import os

    from campaign.queue import default_db_path, open_store
    from campaign.queue.postgres_conn import is_postgres_url

    target: str | Path
    if is_postgres_url(str(db) if db else os.environ.get("CAMPAIGN_DB")):  # a PostgreSQL queue (issue 17)
        target = str(db) if db else os.environ["CAMPAIGN_DB"]
    else:
        target = Path(db).expanduser() if db else default_db_path()
        if not target.exists():
            return set()
    store = open_store(target)
    try:
        return approved_highlights(store, campaign)
    finally:
        store.close()


class QueueApprovals:
    """`campaign.serve`'s approval hook: is this highlight signed off in the queue? The queue is
    read again at most every `every` seconds (a studio rebuild asks once per highlight)."""

    def __init__(self, db: str | Path | None, campaign: str, *, every: float = 2.0) -> None:
        self.db, self.campaign, self.every = db, campaign, every
        self._ids: set[str] = set()
        self._read_at = float("-inf")

    def __call__(self, highlight: Highlight) -> bool:
        import time

        if time.monotonic() - self._read_at >= self.every:
            self._ids = approved_from_queue(self.db, self.campaign)
            self._read_at = time.monotonic()
        return highlight.id in self._ids
