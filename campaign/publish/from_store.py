"""Adapters and rate limits built from what the queue stored (no campaign YAML needed)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from campaign.errors import QueueError
from campaign.models import Job
from campaign.publish.adapters.base import Adapter, AdapterContext, create, state_root
from campaign.publish.adapters.base import close as close_adapter
from campaign.queue import Limit, Store
from campaign.redact import redact

log = logging.getLogger("campaign.publish")

AdapterFactory = Callable[[Job], Adapter]


class StoreAdapters:
    """Each account's adapter, built once from the campaign record saved at enqueue (no YAML
    needed); `close()` closes every adapter built.

    Safe to call from the worker's publishing threads: an adapter is built once per
    account, and since a worker has at most one post of an account in flight, no adapter
    is used by two threads at once. `close()` is called once every call has ended."""

    def __init__(self, store: Store, *, state_dir: Path | None = None) -> None:
        self.store = store
        self.root = state_dir or state_root()
        self.cache: dict[tuple[str, str], Adapter] = {}
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> Adapter:
        key = (job.campaign, job.account)
        with self._lock:
            adapter = self.cache.get(key)
        if adapter is not None:
            return adapter
        built = self._build(job)  # outside the lock: building may read files or ask a server
        with self._lock:
            adapter = self.cache.setdefault(key, built)
        if adapter is not built:  # another thread built it meanwhile (a caller not keyed by account)
            close_adapter(built)
        return adapter

    def _build(self, job: Job) -> Adapter:
        rec = self.store.campaign(job.campaign)
        if rec is None:
            raise QueueError(f"campaign '{job.campaign}' is not in the queue database")
        settings = rec.accounts.get(job.account)
        if settings is None:
            raise QueueError(f"account '{job.account}' is no longer in campaign '{job.campaign}'")
        if not isinstance(settings, dict):
            raise QueueError(f"account '{job.account}' of campaign '{job.campaign}' is stored as a "
                             f"{type(settings).__name__}, not settings; queue the campaign again")
        ctx = AdapterContext(
            account=job.account,
            platform=str(settings.get("platform") or job.platform),
            settings=dict(settings),
            language=str(settings.get("language") or rec.language),
            state_dir=self.root / job.account,
            base_dir=Path(rec.base_dir),
        )
        return create(ctx)

    def close(self) -> None:
        with self._lock:
            adapters, self.cache = list(self.cache.values()), {}
        for adapter in adapters:
            try:
                close_adapter(adapter)
            except Exception as e:  # closing must not hide what the run did
                log.warning("closing %s: %s", getattr(adapter, "name", "adapter"), redact(str(e)))


def adapters_from_store(store: Store, *, state_dir: Path | None = None) -> AdapterFactory:
    """Build each account's adapter from the campaign record saved at enqueue (no YAML needed)."""
    return StoreAdapters(store, state_dir=state_dir)


def limits_from_store(store: Store) -> dict[str, Limit]:
    """Per-account rate limits of every queued campaign; the strictest wins for a shared name."""
    from campaign.config import parse_duration

    out: dict[str, Limit] = {}
    for rec in store.campaigns():
        for account, settings in rec.accounts.items():
            rl = settings.get("rate_limit") if isinstance(settings, dict) else None
            if not isinstance(rl, dict):
                continue  # none; or a record edited by hand: its jobs fail alone when they run
            try:
                lim = Limit(int(rl["posts"]), parse_duration(rl["per"]))
            except (KeyError, TypeError, ValueError):
                continue
            if lim.posts < 1 or lim.per <= timedelta(0):
                continue  # a rate limit of 0 would block the account (or divide by zero) forever
            old = out.get(account)
            if old is None or lim.per / lim.posts > old.per / old.posts:
                out[account] = lim
    return out
