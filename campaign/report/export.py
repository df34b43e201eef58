"""The report as JSON-ready data and as CSV (one row per post, for spreadsheets).

Made-up figures (the outbox) say so everywhere: `"simulated": true` at the top of the JSON and
on every figure, and a `simulated` column on every CSV row.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from campaign.report.aggregate import Figures, PostFigures, Quote, Report

SIMULATED_NOTE = "simulated figures (outbox accounts): not real engagement"
CSV_COLUMNS = ["campaign", "job_id", "highlight_id", "quote", "speaker", "platform", "account", "part", "url",
               "published_at", "fetched_at", "likes", "reposts", "replies", "quotes", "engagement", "gone",
               "simulated"]


def _figures(f: Figures) -> dict[str, Any]:
    return {"posts": f.posts, "likes": f.likes, "reposts": f.reposts, "replies": f.replies, "quotes": f.quotes,
            "engagement": f.engagement, "gone": f.gone, "unread": f.unread, "simulated": f.simulated}


def _post(p: PostFigures, quote: Quote | None) -> dict[str, Any]:
    m = p.metrics
    return {"job_id": p.job_id, "highlight_id": p.highlight_id, "quote": quote.text if quote else None,
            "speaker": quote.speaker if quote else None, "platform": p.platform, "account": p.account,
            "part": p.part, "url": p.url,
            "published_at": p.published_at.isoformat() if p.published_at else None,
            "fetched_at": m.fetched_at.isoformat() if m and m.fetched_at else None,
            "likes": m.likes if m else None, "reposts": m.reposts if m else None,
            "replies": m.replies if m else None, "quotes": m.quotes if m else None,
            "engagement": p.engagement if m else None, "gone": p.gone, "simulated": bool(m and m.simulated)}


def to_dict(report: Report) -> dict[str, Any]:
    """Everything the tables show, as plain data."""
    quotes = {h.highlight_id: h.quote for h in report.highlights}
    out: dict[str, Any] = {
        "campaign": report.campaign, "name": report.name, "generated_at": report.generated_at.isoformat(),
        "simulated": report.simulated,
    }
    if report.simulated:
        out["note"] = SIMULATED_NOTE
    out["totals"] = _figures(report.totals)
    out["highlights"] = [{"highlight_id": h.highlight_id, "quote": h.quote.text, "speaker": h.quote.speaker,
                          **_figures(h.figures),
                          "platforms": {pl: _figures(f) for pl, f in h.by_platform.items()}}
                         for h in report.highlights]
    out["platforms"] = [{"platform": r.platform, **_figures(r.figures)} for r in report.platforms]
    out["accounts"] = [{"platform": r.platform, "account": r.account, **_figures(r.figures)} for r in report.accounts]
    out["days"] = [{"day": d.day.isoformat(), "zone": report.zone, **_figures(d.figures),
                    "platforms": {pl: _figures(f) for pl, f in d.by_platform.items()}} for d in report.days]
    out["top"] = [_post(p, quotes.get(p.highlight_id)) for p in report.top]
    out["posts"] = [_post(p, quotes.get(p.highlight_id)) for p in report.posts]
    f = report.fetch
    out["fetch"] = None if f is None else {
        "published": f.published, "fetched": f.fetched, "skipped": f.skipped, "gone": f.gone,
        "waited_seconds": round(f.waited, 1),
        "failures": [{"platform": x.platform, "account": x.account, "message": x.message, "posts": x.posts}
                     for x in f.failures]}
    out["growth"] = [{"at": g.at.isoformat(), "platform": g.platform, "engagement": g.engagement}
                     for g in report.growth]
    return out


def to_csv(report: Report) -> str:
    """One row per published post, with its highlight's quote and its latest figures."""
    quotes = {h.highlight_id: h.quote for h in report.highlights}
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for p in report.posts:
        row = _post(p, quotes.get(p.highlight_id))  # `simulated` per post, as in the JSON
        w.writerow({"campaign": report.campaign, **{k: "" if row.get(k) is None else row[k] for k in CSV_COLUMNS[1:]}})
    return buf.getvalue()
