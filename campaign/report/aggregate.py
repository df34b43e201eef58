"""The report's figures, from the store's snapshots: totals, per highlight, platform, account,
the top posts and the growth over time. Pure: reads the store, never a platform.

A post deleted on its platform counts with the figures last seen before it went (and is
counted as gone); a post never read yet counts as unread, with no figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from campaign.models import Job, Metrics, MetricsSnapshot, ReviewContext
from campaign.queue import Store
from campaign.report.fetch import FetchSummary


@dataclass(frozen=True, slots=True)
class Quote:
    """What a highlight says, and who said it (None for a sentence of the article)."""

    text: str
    speaker: str | None = None

    def short(self, width: int = 48) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class PostFigures:
    """One published post and its latest figures (None: never read)."""

    job_id: int
    account: str
    platform: str
    highlight_id: str
    part: int
    url: str | None
    text: str
    published_at: datetime | None
    metrics: Metrics | None
    gone: bool = False

    @property
    def engagement(self) -> int:
        return self.metrics.engagement if self.metrics else 0


@dataclass(frozen=True, slots=True)
class Figures:
    """Sums over some posts. `quotes` sums where the platform counts them."""

    posts: int = 0
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    gone: int = 0
    unread: int = 0
    simulated: bool = False

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies + self.quotes

    def plus(self, post: PostFigures) -> Figures:
        m = post.metrics
        if m is None:
            return replace(self, posts=self.posts + 1, unread=self.unread + 1)
        return Figures(self.posts + 1, self.likes + m.likes, self.reposts + m.reposts, self.replies + m.replies,
                       self.quotes + (m.quotes or 0), self.gone + int(post.gone), self.unread,
                       self.simulated or m.simulated)


@dataclass(frozen=True, slots=True)
class HighlightRow:
    highlight_id: str
    quote: Quote
    platforms: tuple[str, ...]
    figures: Figures
    by_platform: dict[str, Figures] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AccountRow:
    platform: str
    account: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class DayRow:
    """The posts published on one day (in the campaign's time zone) and their figures."""

    day: date
    figures: Figures
    by_platform: dict[str, Figures] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GrowthPoint:
    """The campaign's engagement on `platform` as known at `at` (every post's latest reading)."""

    at: datetime
    platform: str
    engagement: int


@dataclass(frozen=True, slots=True)
class Report:
    campaign: str
    name: str
    generated_at: datetime
    totals: Figures
    highlights: tuple[HighlightRow, ...]
    platforms: tuple[AccountRow, ...]  # account "" : a whole platform
    accounts: tuple[AccountRow, ...]
    top: tuple[PostFigures, ...]
    posts: tuple[PostFigures, ...]
    growth: tuple[GrowthPoint, ...]
    fetch: FetchSummary | None = None
    days: tuple[DayRow, ...] = ()
    zone: str = "UTC"

    @property
    def simulated(self) -> bool:
        """True when any figure is made up (the outbox): every output says so."""
        return self.totals.simulated


_QUOTED = re.compile(r"[“\"«„]([^”\"»“]{8,})[”\"»“]")
_SPEAKER = re.compile(r"(?m)^\s*[—–-]\s*(.+?)\s*$|[—–]\s*([^#\n]+?)\s*(?:#|https?://|$)")


def quote_from_text(text: str) -> Quote:
    """A highlight's quote and speaker guessed from a post's text (when the config is not at hand)."""
    m = _QUOTED.search(text)
    body = m.group(1) if m else text.split("\n", 1)[0]
    rest = text[m.end():] if m else ""
    s = _SPEAKER.search(rest)
    speaker = re.split(r"\s+(?:#|https?://)", (s.group(1) or s.group(2)).strip())[0] if s else None
    return Quote(body.strip(), speaker or None)


def _quote_of(ctx: ReviewContext) -> Quote:
    """The quote queued with a job; its speaker only where a post may name them (`credited`)."""
    return Quote(ctx.quote, ctx.speaker if ctx.confident or ctx.pinned else None)


def _with_last_known(latest: MetricsSnapshot, history: list[MetricsSnapshot]) -> Metrics:
    """A gone post's figures: the last reading before it went (zero if there was none)."""
    if not latest.metrics.gone:
        return latest.metrics
    seen = [s for s in history if not s.metrics.gone]
    if not seen:
        return latest.metrics
    last = seen[-1].metrics
    return replace(last, gone=True, fetched_at=latest.at)


def _posts(jobs: list[Job], history: list[MetricsSnapshot]) -> list[PostFigures]:
    per_job: dict[int, list[MetricsSnapshot]] = {}
    for s in history:
        per_job.setdefault(s.job_id, []).append(s)
    out = []
    for j in jobs:
        snaps = per_job.get(j.id, [])
        m = _with_last_known(snaps[-1], snaps) if snaps else None
        out.append(PostFigures(j.id, j.account, j.platform, j.highlight_id, j.part, j.remote_url, j.draft.text,
                               j.updated_at, m, bool(m and m.gone)))
    return out


def _growth(history: list[MetricsSnapshot], platform_of: Mapping[int, str]) -> list[GrowthPoint]:
    current: dict[int, int] = {}
    out: list[GrowthPoint] = []
    times = sorted({s.at for s in history})
    by_time: dict[datetime, list[MetricsSnapshot]] = {}
    for s in history:
        by_time.setdefault(s.at, []).append(s)
    for t in times:
        for s in by_time[t]:
            if s.job_id in platform_of and not s.metrics.gone:  # a gone post keeps its last figures
                current[s.job_id] = s.metrics.engagement
        totals: dict[str, int] = {}
        for job_id, value in current.items():
            totals[platform_of[job_id]] = totals.get(platform_of[job_id], 0) + value
        out.extend(GrowthPoint(t, p, v) for p, v in sorted(totals.items()))
    return out


def _sum(posts: Iterable[PostFigures]) -> Figures:
    f = Figures()
    for p in posts:
        f = f.plus(p)
    return f


def _days(posts: list[PostFigures], zone: str) -> list[DayRow]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    by_day: dict[date, list[PostFigures]] = {}
    for p in posts:
        if p.published_at is not None:
            by_day.setdefault(p.published_at.astimezone(tz).date(), []).append(p)
    out = []
    for day, dp in sorted(by_day.items()):
        platforms = sorted({p.platform for p in dp})
        out.append(DayRow(day, _sum(dp), {pl: _sum(p for p in dp if p.platform == pl) for pl in platforms}))
    return out


def build_report(store: Store, campaign: str, *, now: datetime, quotes: Mapping[str, Quote] | None = None,
                 top: int = 10, fetch: FetchSummary | None = None) -> Report:
    """The report of `campaign` from the store's snapshots. `quotes` names highlights; one it
    lacks is named by the quote and speaker queued with its jobs, else from its first post's text."""
    record = store.campaign(campaign)
    jobs = [j for j in store.jobs(status="succeeded", campaign=campaign) if j.remote_id]
    history = store.metrics_history(campaign)
    posts = _posts(jobs, history)
    queued = {j.highlight_id: _quote_of(j.context) for j in jobs if j.context is not None and j.context.quote}
    platforms = sorted({p.platform for p in posts})
    highlights: list[HighlightRow] = []
    order: dict[str, list[PostFigures]] = {}
    for p in posts:
        order.setdefault(p.highlight_id, []).append(p)
    for hid, hp in order.items():
        first = min(hp, key=lambda p: (p.part, p.job_id))
        quote = (quotes or {}).get(hid) or queued.get(hid) or quote_from_text(first.text)
        by_platform = {pl: _sum(p for p in hp if p.platform == pl) for pl in platforms if any(p.platform == pl for p in hp)}
        highlights.append(HighlightRow(hid, quote, tuple(by_platform), _sum(hp), by_platform))
    highlights.sort(key=lambda h: (-h.figures.engagement, h.highlight_id))
    accounts = sorted({(p.platform, p.account) for p in posts})
    account_rows = tuple(AccountRow(pl, a, _sum(p for p in posts if (p.platform, p.account) == (pl, a)))
                         for pl, a in accounts)
    platform_rows = tuple(AccountRow(pl, "", _sum(p for p in posts if p.platform == pl)) for pl in platforms)
    ranked = sorted((p for p in posts if p.metrics is not None), key=lambda p: (-p.engagement, p.job_id))
    zone = record.zone if record else "UTC"
    try:
        days = _days(posts, zone)
    except (KeyError, ValueError):  # a zone this machine does not know: days in UTC
        zone, days = "UTC", _days(posts, "UTC")
    return Report(
        campaign=campaign, name=record.name if record else campaign, generated_at=now, totals=_sum(posts),
        highlights=tuple(highlights), platforms=platform_rows, accounts=account_rows,
        top=tuple(ranked[:top]), posts=tuple(posts),
        growth=tuple(_growth(history, {p.job_id: p.platform for p in posts})), fetch=fetch,
        days=tuple(days), zone=zone,
    )
