"""Accounts held back by a worker: a platform that does not answer, or answers 429.

A worker claims under per-account rate limits (`Limit`, checked inside the claim
transaction, so every worker shares them). It adds its own holds to those limits:

- unreachable: after `unreachable_after` timeouts or connection failures in a row on
  one account, the account's other jobs wait `defer_for` (one start per `defer_for`,
  as a probe), so each due post does not wait out the full timeout;
- rate limited: a platform that answered 429 (`RateLimitedError`) holds back only that
  account until its `retry_after` is over (the worker claims with the account `busy`);
  the other accounts go on.

A deferral ends as soon as the account's platform answers again. Holds are this
worker's own: another worker learns of a 429 when it gets one. A limit wider than one
account (X's per-app 24-hour cap, shared by the accounts of one API key) comes as a 429
with a `scope` (the adapter's `rate_scope`): every account the worker knows to share
that scope is held until it ends, and one it meets later is held before it sends; the
accounts of other keys and platforms go on.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from campaign.errors import AdapterError, RateLimitedError, TransientError
from campaign.queue import Limit

#: exceptions of the HTTP libraries adapters use that mean "no answer" (module root, class name)
_NO_ANSWER = {("requests", "ConnectionError"), ("requests", "Timeout"), ("httpx", "TimeoutException"),
              ("httpx", "NetworkError"), ("urllib3", "NewConnectionError"), ("urllib3", "TimeoutError")}


def unreachable(error: BaseException) -> bool:
    """True when `error` says the platform did not answer: a timeout or a connection failure.

    Adapters say so with `TransientError(unreachable=True)`; for one that does not, the
    exception's chain (`__cause__`, `__context__`) is searched for the standard library's
    timeouts and connection errors and those of requests, urllib3 and httpx."""
    if isinstance(error, RateLimitedError) or (isinstance(error, AdapterError)
                                               and not isinstance(error, TransientError)):
        return False
    seen: set[int] = set()
    e: BaseException | None = error
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if getattr(e, "unreachable", False) or isinstance(e, TimeoutError | ConnectionError):
            return True
        if any((c.__module__.split(".")[0], c.__name__) in _NO_ANSWER for c in type(e).__mro__):
            return True
        e = e.__cause__ or e.__context__
    return False


class Holds:
    """The limits a worker claims under (`limits`, shared with the caller: the worker's
    `limits`), and the holds it adds to them; safe to use from several threads."""

    def __init__(self, limits: dict[str, Limit], *, unreachable_after: int, defer_for: timedelta) -> None:
        self.limits = limits
        self.unreachable_after = unreachable_after
        self.defer_for = defer_for
        self._lock = threading.Lock()
        self._strikes: dict[str, int] = {}  # account -> unanswered calls in a row
        self._own: dict[str, Limit | None] = {}  # a deferred account's own limit before it
        self._cooling: dict[str, datetime] = {}  # account or scope -> end of its platform's 429
        self._scope: dict[str, str] = {}  # account -> the wider limit it shares (`rate_scope`)

    def snapshot(self) -> dict[str, Limit]:
        """The limits as they are now, for one claim (the dict changes while posts are in flight)."""
        with self._lock:
            return dict(self.limits)

    def answered(self, account: str) -> bool:
        """The account's platform answered: forget its unanswered calls and end its deferral;
        True when one ended."""
        with self._lock:
            self._strikes.pop(account, None)
            if account not in self._own:
                return False
            own = self._own.pop(account)
            if own is None:
                self.limits.pop(account, None)
            else:
                self.limits[account] = own
            return True

    def unanswered(self, account: str, error: BaseException) -> str | None:
        """Count a timeout or connection failure; at `unreachable_after` in a row, hold the
        account back for `defer_for` and say why (else None)."""
        with self._lock:
            if not unreachable(error):
                if isinstance(error, AdapterError):  # the platform answered, if only to refuse
                    self._strikes.pop(account, None)
                return None
            n = self._strikes[account] = self._strikes.get(account, 0) + 1
            if n < self.unreachable_after or account in self._own:
                return None
            self._hold(account, self.defer_for)
            return f"{n} timeouts or connection failures in a row"

    def know(self, account: str, scope: str) -> None:
        """The account shares the limits of `scope` (its adapter's `rate_scope`)."""
        if scope:
            with self._lock:
                self._scope[account] = scope

    def rate_limited(self, account: str, *, until: datetime, scope: str = "") -> str:
        """The platform answered 429: claim none of the account's posts (nor, with `scope`, those
        of any account sharing it) before `until` (when the refused post is tried again); say why."""
        key = f"scope:{scope}" if scope else account
        with self._lock:
            self._strikes.pop(account, None)  # it answered
            if scope:
                self._scope[account] = scope
            self._cooling[key] = max(until, self._cooling.get(key, until))
        shared = " (a limit shared by every account of its API key)" if scope else ""
        return f"rate limited by its platform until {until:%H:%M:%S} UTC{shared}"

    def cooling(self, now: datetime) -> set[str]:
        """The accounts rate limited by their platform (or a limit they share) until after `now`."""
        with self._lock:
            for key in [k for k, t in self._cooling.items() if t <= now]:
                del self._cooling[key]
            held = {k for k in self._cooling if not k.startswith("scope:")}
            return held | {a for a, s in self._scope.items() if f"scope:{s}" in self._cooling}

    def sharing(self, scope: str) -> set[str]:
        """The accounts known to share `scope`."""
        with self._lock:
            return {a for a, s in self._scope.items() if s == scope}

    def scope_cooling(self, account: str, now: datetime) -> datetime | None:
        """When the wider limit the account shares ends, if it is in force at `now`."""
        with self._lock:
            until = self._cooling.get(f"scope:{self._scope.get(account, '')}")
            return until if until is not None and until > now else None

    def cooling_ends(self) -> datetime | None:
        """When the first 429 hold ends."""
        with self._lock:
            return min(self._cooling.values(), default=None)

    def _hold(self, account: str, per: timedelta) -> None:
        """One start per `per` (counted from the account's latest start), until it answers."""
        if account not in self._own:
            self._own[account] = self.limits.get(account)
        self.limits[account] = Limit(1, per)
