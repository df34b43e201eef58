"""Timestamp identifiers (atproto TIDs): 13 sortable base32 characters, minted once per job.

Used as every job's idempotency key: Bluesky takes it as the record key, Mastodon
sends it as the Idempotency-Key header, and X reconciles through `find`.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def mint(now: datetime, clock_id: int | None = None) -> str:
    """A TID for `now` (aware): top bit 0, 53 bits of microseconds since the epoch, 10-bit clock id."""
    micros = int(now.timestamp() * 1_000_000) & ((1 << 53) - 1)
    cid = random.getrandbits(10) if clock_id is None else clock_id & 0x3FF
    n = (micros << 10) | cid
    return "".join(ALPHABET[(n >> (60 - 5 * i)) & 31] for i in range(13))


def is_valid(value: str) -> bool:
    return bool(TID_RE.match(value))


def micros(value: str) -> int:
    """The microseconds since the epoch a TID was minted for (its top 53 bits)."""
    n = 0
    for ch in value:
        n = (n << 5) | ALPHABET.index(ch)
    return n >> 10


def minted_at(value: str) -> datetime | None:
    """When a TID was minted, or None for a value that is not a TID."""
    if not is_valid(value):
        return None
    try:
        return datetime.fromtimestamp(micros(value) / 1e6, UTC)
    except (OverflowError, OSError, ValueError):
        return None
