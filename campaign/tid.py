"""Timestamp identifiers (atproto TIDs): 13 sortable base32 characters, minted once per job.

Used as every job's idempotency key: Bluesky takes it as the record key, Mastodon
sends it as the Idempotency-Key header, and X reconciles through `find`.
"""

from __future__ import annotations

import random
import re
from datetime import datetime

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
