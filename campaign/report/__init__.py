"""`campaign report`: engagement of a campaign's published posts, per highlight, platform and account.

- `fetch`: read fresh figures through each account's adapter (`metrics`, optional in the
  adapter contract), within rate limits and incrementally, and store them as snapshots.
- `aggregate`: the report from the stored snapshots (totals, highlights, platforms, accounts,
  top posts, growth over time); pure.
- `export`: JSON-ready data and CSV; `chart`: a PNG for slides (matplotlib, imported lazily).

Figures from the outbox are simulated, and every output says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from campaign.models import Job
from campaign.queue import Store
from campaign.report.aggregate import (
    AccountRow,
    DayRow,
    Figures,
    GrowthPoint,
    HighlightRow,
    PostFigures,
    Quote,
    Report,
    build_report,
    quote_from_text,
)
from campaign.report.export import SIMULATED_NOTE, to_csv, to_dict
from campaign.report.fetch import (
    DEFAULT_MAX_WAIT,
    DEFAULT_MIN_AGE,
    Failure,
    FetchSummary,
    Progress,
    refresh_metrics,
)


def campaign_report(store: Store, campaign: str, adapters: Callable[[Job], Any] | None, *, now: datetime,
                    quotes: Mapping[str, Quote] | None = None, refresh: bool = False,
                    min_age: timedelta = DEFAULT_MIN_AGE, max_wait: float = DEFAULT_MAX_WAIT,
                    progress: Progress | None = None, sleep: Callable[[float], Any] | None = None,
                    top: int = 10) -> Report:
    """Fetch fresh figures (unless `adapters` is None: the stored ones only), then the report."""
    summary = None
    if adapters is not None:
        kw: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
        summary = refresh_metrics(store, campaign, adapters, now=now, refresh=refresh, min_age=min_age,
                                  max_wait=max_wait, progress=progress, **kw)
    return build_report(store, campaign, now=now, quotes=quotes, top=top, fetch=summary)


__all__ = [
    "DEFAULT_MAX_WAIT", "DEFAULT_MIN_AGE", "SIMULATED_NOTE", "AccountRow", "DayRow", "Failure", "FetchSummary", "Figures",
    "GrowthPoint", "HighlightRow", "PostFigures", "Progress", "Quote", "Report", "build_report", "campaign_report",
    "quote_from_text", "refresh_metrics", "to_csv", "to_dict",
]
