"""Outbox (dry runs): no length limit; counts grapheme clusters; every text fits."""

from __future__ import annotations

from dataclasses import dataclass

from campaign.platforms.rules import Rules


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRules(Rules):
    """No limits worth the name: `max_chars` and the media limits are 10**9."""

    name: str = "outbox"
    label: str = "Outbox"
    real: bool = False
    volunteer: bool = False
