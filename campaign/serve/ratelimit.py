"""A per-client token bucket for renders, bounded in memory however many clients come."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimiter:
    """`per_minute` renders a minute per client, in bursts of up to `burst`.

    A client is whatever key the caller passes (the peer address, which uvicorn takes from
    `X-Forwarded-For` only when told to trust the proxy). At most `max_clients` buckets are
    kept; the least recently seen is forgotten first (a forgotten client starts full, which
    only ever errs towards letting a render through).
    """

    def __init__(self, per_minute: int, *, burst: int | None = None, max_clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, min(per_minute, 30)))
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until the next token."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)
