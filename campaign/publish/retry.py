"""The retry policy: a pure function of (attempts, error) → when to try again, or give up.

- Permanent errors (`AuthError`, `RejectedError`, any other `CampaignError` that is
  not transient) give up at once; the platform's message becomes the job's error.
- Transient errors back off exponentially (`base * factor**(attempts-1)`, capped at
  `max_delay`) with up to `jitter` of the delay added, drawn from a seed (the job's
  key), so two workers retrying the same burst spread out yet a test can predict it.
- A platform's retry-after wins over the backoff (never sooner), capped at
  `max_retry_after` so a bogus header cannot park a post for a year.
- Errors that are not ours at all (a bug or an unmapped network error in an
  adapter) are treated as transient and ambiguous: the post may have landed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from campaign.errors import CampaignError, RateLimitedError, TransientError
from campaign.redact import redact


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)
    jitter: float = 0.25  # fraction of the delay added at most
    max_retry_after: timedelta = timedelta(hours=25)  # X's daily window resets within 24 h


DEFAULT = RetryPolicy()


def is_transient(error: BaseException) -> bool:
    """Worth trying again: our transient errors, and anything that is not a CampaignError."""
    return isinstance(error, TransientError) or not isinstance(error, CampaignError)


def is_ambiguous(error: BaseException) -> bool:
    """May the failed call have posted anyway? (Then reconcile with `find` before resending.)"""
    if isinstance(error, TransientError):
        return error.ambiguous
    return not isinstance(error, CampaignError)


def backoff(attempts: int, policy: RetryPolicy = DEFAULT, seed: str = "") -> timedelta:
    """The wait after the `attempts`-th failed attempt (1-based), jitter included."""
    exp = min(policy.base * (policy.factor ** max(attempts - 1, 0)), policy.max_delay)
    spread = random.Random(f"{seed}:{attempts}").random() * policy.jitter
    return exp * (1 + spread)


def next_run(attempts: int, error: BaseException, *, now: datetime,
             policy: RetryPolicy = DEFAULT, seed: str = "") -> datetime | None:
    """When to try again after `attempts` attempts ended with `error`; None: give up."""
    if not is_transient(error) or attempts >= policy.max_attempts:
        return None
    wait = backoff(attempts, policy, seed)
    if isinstance(error, RateLimitedError):
        asked = timedelta(seconds=max(float(error.retry_after), 0.0))
        wait = min(asked, policy.max_retry_after) if asked > timedelta(0) else wait
    return now + wait


def describe(error: BaseException) -> str:
    """The error as the job's `last_error`: the platform's own words, the type for a bug; redacted."""
    if isinstance(error, CampaignError):
        return redact(str(error) or type(error).__name__)
    return redact(f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
