"""The report as a slide-sized PNG: engagement per highlight and platform, and its growth.

Left: one horizontal bar per highlight (its short quote and speaker), stacked by platform,
with the total at the end. Right: the campaign's engagement per platform over time, from the
stored snapshots. 1600×900 pixels, large type; "simulated" in the title when any figure is
made up. matplotlib is imported here only, with the Agg backend (no display needed).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from campaign.errors import CampaignError
from campaign.report.aggregate import Report

COLOURS = {"x": "#14171A", "mastodon": "#6364FF", "bluesky": "#1185FE", "outbox": "#8A8F98"}
_FALLBACK = ["#E4572E", "#29335C", "#F3A712", "#669BBC", "#A8C686", "#7D5BA6"]
WIDTH, HEIGHT, DPI = 16, 9, 100  # inches at 100 dpi: 1600×900
MAX_BARS = 8


def _colour(platform: str, i: int) -> str:
    return COLOURS.get(platform, _FALLBACK[i % len(_FALLBACK)])


def _label(report: Report, index: int) -> str:
    h = report.highlights[index]
    quote = "“" + h.quote.short(70) + "”"
    lines = textwrap.wrap(quote, 34)[:2]
    if len(textwrap.wrap(quote, 34)) > 2:
        lines[-1] = lines[-1][:33].rstrip() + "…”"
    who = f"— {h.quote.speaker}" if h.quote.speaker else ""
    return "\n".join(lines + ([who] if who else []))


def render_chart(report: Report, path: Path | str) -> Path:
    """Draw `report` to a PNG at `path`; raises CampaignError when it cannot be written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    out = Path(path)
    platforms = [r.platform for r in report.platforms]
    plt.rcParams.update({"font.size": 15, "axes.titlesize": 19, "axes.labelsize": 16,
                         "xtick.labelsize": 14, "ytick.labelsize": 13, "legend.fontsize": 14,
                         "axes.spines.top": False, "axes.spines.right": False})
    fig = plt.figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    grid = fig.add_gridspec(1, 2, width_ratios=[1.6, 1], wspace=0.1, left=0.235, right=0.955,
                            top=0.84, bottom=0.12)
    bars: Any = fig.add_subplot(grid[0])
    growth: Any = fig.add_subplot(grid[1])
    shown = report.highlights[:MAX_BARS]
    rows = list(range(len(shown)))[::-1]  # the best at the top
    left = [0] * len(shown)
    for i, pl in enumerate(platforms):
        values = [h.by_platform[pl].engagement if pl in h.by_platform else 0 for h in shown]
        bars.barh(rows, values, left=left, color=_colour(pl, i), label=pl, height=0.66, edgecolor="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    peak = max(left, default=0) or 1
    for y, total in zip(rows, left, strict=True):
        bars.text(total + peak * 0.01, y, f"{total:,}", va="center", fontsize=15, fontweight="bold")
    bars.set_yticks(rows, [_label(report, i) for i in range(len(shown))])
    bars.set_xlim(0, peak * 1.12)
    bars.set_xlabel("engagement (likes + reposts + replies + quotes)")
    more = f" (top {len(shown)} of {len(report.highlights)})" if len(report.highlights) > len(shown) else ""
    bars.set_title(f"Per quote and platform{more}", loc="left", fontweight="bold")
    bars.grid(axis="x", alpha=0.3)
    bars.set_axisbelow(True)
    if not shown:
        bars.text(0.5, 0.5, "no published post yet", transform=bars.transAxes, ha="center", fontsize=18)
        bars.set_xticks([])
    handles, labels = bars.get_legend_handles_labels()
    if handles:
        bars.legend(handles, labels, loc="lower right", frameon=False, title="platform")

    series: dict[str, tuple[list[Any], list[int]]] = {}
    for g in report.growth:
        xs, ys = series.setdefault(g.platform, ([], []))
        xs.append(g.at)
        ys.append(g.engagement)
    for i, pl in enumerate(platforms):
        if pl in series:
            xs, ys = series[pl]
            growth.plot(xs, ys, marker="o", linewidth=3, markersize=6, color=_colour(pl, i), label=pl)
    if series:
        growth.legend(loc="lower right", frameon=False)
    growth.set_title("Growth over time", loc="left", fontweight="bold")
    growth.set_ylabel("engagement so far")
    growth.set_xlabel("time of reading (UTC)")
    growth.grid(alpha=0.3)
    growth.set_ylim(bottom=0)
    times = sorted({g.at for g in report.growth})
    readings = len(times)
    if readings:
        from datetime import timedelta

        if times[-1] - times[0] < timedelta(hours=1):  # a few minutes apart: show an hour around them
            middle = times[0] + (times[-1] - times[0]) / 2
            growth.set_xlim(middle - timedelta(minutes=30), middle + timedelta(minutes=30))
        growth.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7))  # type: ignore[no-untyped-call]
        growth.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M"))  # type: ignore[no-untyped-call]
    if readings < 2:
        growth.text(0.5, 0.5, "one reading so far:\nrun `campaign report` again\nlater to see growth"
                    if readings else "no reading yet", transform=growth.transAxes, ha="center",
                    va="center", fontsize=15, color="#555555")
    if not readings:
        growth.set_xticks([])
        growth.set_yticks([])
    t = report.totals
    title = f"{report.name}: what travelled"
    if report.simulated:
        title += "  (SIMULATED figures)"
    fig.suptitle(title, x=0.02, ha="left", fontsize=26, fontweight="bold", y=0.975,
                 color="#B00020" if report.simulated else "black")
    sub = (f"{t.posts} posts · {t.likes:,} likes · {t.reposts:,} reposts · {t.replies:,} replies · "
           f"{t.quotes:,} quotes" + (f" · {t.gone} deleted" if t.gone else "")
           + f" · as of {report.generated_at:%Y-%m-%d %H:%M} UTC")
    if report.simulated:
        sub += " · outbox: made-up numbers, not real engagement"
    fig.text(0.02, 0.905, sub, fontsize=15, color="#444444")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=DPI, format="png")
    except OSError as e:
        raise CampaignError(f"cannot write the chart {out}: {e.strerror or e}") from None
    finally:
        plt.close(fig)
    return out
