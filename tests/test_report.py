"""`campaign.report`: fetching figures (batches, rate limits, failures, incremental), the
aggregates, JSON/CSV and the chart, with scripted adapters on a real SQLite store."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from campaign.errors import RateLimitedError, TransientError
from campaign.models import Draft, Job, Metrics, PlannedPost, RemoteRef
from campaign.queue import CampaignRecord, enqueue_plan
from campaign.queue.sqlite import SqliteStore
from campaign.report import Quote, build_report, campaign_report, quote_from_text, to_csv, to_dict

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ACCOUNTS = {"nrf_x": "x", "nrf_masto": "mastodon", "nrf_bsky": "bluesky"}


class Scripted:
    """An adapter whose `metrics` answers from `figures`, recording each call's refs."""

    metrics_batch: ClassVar[int] = 2

    def __init__(self, name: str, figures: dict[str, Metrics]) -> None:
        self.name = name
        self.figures = figures
        self.calls: list[list[str]] = []
        self.errors: list[Exception] = []

    def metrics(self, refs: list[RemoteRef]) -> dict[str, Metrics]:
        self.calls.append([r.id for r in refs])
        if self.errors:
            raise self.errors.pop(0)
        return {r.id: self.figures.get(r.id, Metrics(gone=True)) for r in refs}


class Factory:
    def __init__(self, adapters: dict[str, Any]) -> None:
        self.adapters = adapters

    def __call__(self, job: Job) -> Any:
        return self.adapters[job.account]


def draft(hid: str, account: str, text: str) -> Draft:
    return Draft(hid, account, ACCOUNTS[account], (text,), (len(text),), 500)


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "q.sqlite3")
    yield s
    s.close()


def publish_all(store: SqliteStore, highlights: dict[str, str], accounts: tuple[str, ...] = tuple(ACCOUNTS)) -> dict[tuple[str, str], int]:
    """Queue every highlight on every account and mark each job sent; (highlight, account) → job id."""
    record = CampaignRecord("camp", "Camp", "UTC", "en", ".", None, {a: {"platform": ACCOUNTS[a]} for a in accounts}, T0)
    planned = [PlannedPost(draft(h, a, f"“{t}”\n— Ahmad Massoud\n#Afghanistan"), 0, T0, "UTC")
               for h, t in highlights.items() for a in accounts]
    enqueue_plan(store, record, planned, now=T0)
    ids = {}
    while (c := store.claim("w", now=T0 + HOUR)) is not None:
        j = c.job
        store.succeed(j.id, "w", RemoteRef(f"{j.account}-{j.highlight_id}", f"https://example.org/{j.account}/{j.highlight_id}"),
                      now=T0 + HOUR)
        ids[(j.highlight_id, j.account)] = j.id
    return ids


QUOTES = {"h1": "We will resist the Taliban until Afghanistan is free", "h2": "Engage with the Afghan people"}


def scripted(**per_account: dict[str, Metrics]) -> dict[str, Scripted]:
    return {a: Scripted(ACCOUNTS[a], per_account.get(a, {})) for a in ACCOUNTS}


def test_figures_add_up_per_quote_platform_account_and_top_posts(store: SqliteStore) -> None:
    publish_all(store, QUOTES)
    adapters = scripted(nrf_x={"nrf_x-h1": Metrics(50, 10, 5, 2), "nrf_x-h2": Metrics(3, 1, 0, 0)},
                        nrf_masto={"nrf_masto-h1": Metrics(20, 8, 2), "nrf_masto-h2": Metrics(1, 0, 0)},
                        nrf_bsky={"nrf_bsky-h1": Metrics(30, 6, 4, 1), "nrf_bsky-h2": Metrics(2, 2, 1, 0)})
    r = campaign_report(store, "camp", Factory(adapters), now=T0 + 2 * HOUR,
                        quotes={"h1": Quote(QUOTES["h1"], "Ahmad Massoud")})
    assert (r.totals.posts, r.totals.likes, r.totals.reposts, r.totals.replies, r.totals.quotes) == (6, 106, 27, 12, 3)
    h1, h2 = r.highlights  # most engagement first
    assert (h1.highlight_id, h1.quote.speaker, h1.figures.posts, h1.figures.likes, h1.figures.engagement) == \
        ("h1", "Ahmad Massoud", 3, 100, 138)
    assert h1.platforms == ("bluesky", "mastodon", "x") and h1.by_platform["x"].likes == 50
    assert h2.quote == Quote(QUOTES["h2"], "Ahmad Massoud")  # named from its post's text
    assert [(a.account, a.figures.likes) for a in r.accounts] == [("nrf_bsky", 32), ("nrf_masto", 21), ("nrf_x", 53)]
    assert [p.url for p in r.top[:2]] == ["https://example.org/nrf_x/h1", "https://example.org/nrf_bsky/h1"]
    assert r.fetch is not None and (r.fetch.fetched, r.fetch.failures) == (6, ())
    assert not r.simulated


def test_posts_go_in_batches_and_are_read_again_only_when_stale_or_asked(store: SqliteStore) -> None:
    publish_all(store, {f"h{i}": f"quote number {i} of the speech" for i in range(5)}, accounts=("nrf_x",))
    a = Scripted("x", {f"nrf_x-h{i}": Metrics(i, 0, 0) for i in range(5)})
    campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 2 * HOUR)
    assert [len(c) for c in a.calls] == [2, 2, 1]  # the adapter's metrics_batch
    r = campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 2 * HOUR + timedelta(minutes=5))
    assert len(a.calls) == 3 and r.fetch is not None and (r.fetch.fetched, r.fetch.skipped) == (0, 5)
    assert r.totals.likes == 10  # the stored figures still make the report
    campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 2 * HOUR + timedelta(minutes=6), refresh=True)
    assert len(a.calls) == 6
    campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 3 * HOUR)
    assert len(a.calls) == 9 and len(store.metrics_history("camp")) == 15


def test_a_deleted_post_is_gone_with_its_last_figures_and_not_asked_again(store: SqliteStore) -> None:
    ids = publish_all(store, QUOTES, accounts=("nrf_x",))
    a = Scripted("x", {"nrf_x-h1": Metrics(7, 2, 1, 0), "nrf_x-h2": Metrics(1, 0, 0, 0)})
    campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 2 * HOUR)
    del a.figures["nrf_x-h1"]  # deleted on X
    r = campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 3 * HOUR)
    assert r.fetch is not None and r.fetch.gone == 1 and r.fetch.failures == ()
    gone = next(p for p in r.posts if p.job_id == ids[("h1", "nrf_x")])
    assert gone.gone and gone.metrics is not None and gone.metrics.likes == 7
    assert r.totals.gone == 1 and r.totals.likes == 8
    r = campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 4 * HOUR)
    assert a.calls[-1] == ["nrf_x-h2"]  # a gone post is not asked again
    assert to_dict(r)["top"][0]["gone"] is True


def test_a_short_rate_limit_is_waited_out_a_long_one_reported(store: SqliteStore) -> None:
    publish_all(store, QUOTES)
    adapters = scripted(nrf_x={"nrf_x-h1": Metrics(5), "nrf_x-h2": Metrics(6)},
                        nrf_masto={"nrf_masto-h1": Metrics(1), "nrf_masto-h2": Metrics(2)},
                        nrf_bsky={"nrf_bsky-h1": Metrics(3), "nrf_bsky-h2": Metrics(4)})
    adapters["nrf_x"].errors = [RateLimitedError("slow down", retry_after=30, platform="x", account="nrf_x")]
    adapters["nrf_masto"].errors = [RateLimitedError("slow down", retry_after=900, platform="mastodon",
                                                     account="nrf_masto")]
    slept: list[float] = []
    r = campaign_report(store, "camp", Factory(adapters), now=T0 + 2 * HOUR, sleep=slept.append)
    assert slept == [30]
    assert r.fetch is not None and r.fetch.fetched == 4 and r.fetch.waited == 30
    (failure,) = r.fetch.failures
    assert (failure.platform, failure.account, failure.posts) == ("mastodon", "nrf_masto", 2)
    assert "rate limited" in failure.message and "900s" in failure.message
    assert r.totals.likes == 18 and r.totals.unread == 2


def test_a_platform_that_is_down_is_named_and_the_rest_still_reported(store: SqliteStore) -> None:
    publish_all(store, QUOTES)
    adapters = scripted(nrf_x={"nrf_x-h1": Metrics(5), "nrf_x-h2": Metrics(6)},
                        nrf_masto={"nrf_masto-h1": Metrics(1), "nrf_masto-h2": Metrics(2)})
    adapters["nrf_bsky"].errors = [TransientError("bsky.social answered 503", platform="bluesky", account="nrf_bsky")]
    r = campaign_report(store, "camp", Factory(adapters), now=T0 + 2 * HOUR)
    assert r.fetch is not None and not r.fetch.nothing_read
    assert [(f.platform, f.account, f.posts) for f in r.fetch.failures] == [("bluesky", "nrf_bsky", 2)]
    assert "503" in r.fetch.failures[0].message
    assert r.totals.likes == 14 and r.totals.unread == 2


def test_nothing_read_when_every_platform_fails_and_an_adapter_without_metrics(store: SqliteStore) -> None:
    publish_all(store, QUOTES, accounts=("nrf_x", "nrf_masto"))

    class Old:
        name = "mastodon"

    broken = Scripted("x", {})
    broken.errors = [TransientError("down", platform="x", account="nrf_x")]
    r = campaign_report(store, "camp", Factory({"nrf_x": broken, "nrf_masto": Old()}), now=T0 + 2 * HOUR)
    assert r.fetch is not None and r.fetch.nothing_read
    assert "cannot read metrics" in next(f.message for f in r.fetch.failures if f.account == "nrf_masto")


def test_json_and_csv_carry_every_post_and_label_simulated_figures(store: SqliteStore) -> None:
    publish_all(store, QUOTES, accounts=("nrf_x", "nrf_bsky"))
    sim = {k: Metrics(4, 1, 1, 0, simulated=True) for k in ("nrf_x-h1", "nrf_x-h2", "nrf_bsky-h1", "nrf_bsky-h2")}
    r = campaign_report(store, "camp", Factory({"nrf_x": Scripted("outbox", sim), "nrf_bsky": Scripted("outbox", sim)}),
                        now=T0 + 2 * HOUR)
    data = to_dict(r)
    assert data["simulated"] is True and "simulated" in data["note"]
    assert set(data) >= {"totals", "highlights", "platforms", "accounts", "top", "posts", "fetch", "growth"}
    assert data["totals"]["likes"] == 16 and data["totals"]["simulated"] is True
    assert data["highlights"][0]["platforms"]["x"]["likes"] == 4
    assert all(p["simulated"] for p in data["posts"]) and len(data["posts"]) == 4
    rows = list(csv.DictReader(io.StringIO(to_csv(r))))
    assert len(rows) == 4 and {row["simulated"] for row in rows} == {"True"}
    assert rows[0]["quote"] in QUOTES.values() and rows[0]["url"].startswith("https://example.org/")
    assert {"likes", "reposts", "replies", "quotes", "engagement", "gone", "platform", "account"} <= set(rows[0])


def test_real_figures_beside_simulated_ones_are_not_labelled_simulated(store: SqliteStore) -> None:
    publish_all(store, QUOTES, accounts=("nrf_x", "nrf_bsky"))
    real = Scripted("x", {"nrf_x-h1": Metrics(9), "nrf_x-h2": Metrics(8)})
    made_up = Scripted("outbox", {k: Metrics(4, simulated=True) for k in ("nrf_bsky-h1", "nrf_bsky-h2")})
    r = campaign_report(store, "camp", Factory({"nrf_x": real, "nrf_bsky": made_up}), now=T0 + 2 * HOUR)
    assert r.simulated and to_dict(r)["note"]
    per_post = {p["account"]: p["simulated"] for p in to_dict(r)["posts"]}
    per_row = {row["account"]: row["simulated"] for row in csv.DictReader(io.StringIO(to_csv(r)))}
    assert per_post == {"nrf_x": False, "nrf_bsky": True} and per_row == {"nrf_x": "False", "nrf_bsky": "True"}


def test_growth_follows_the_snapshots(store: SqliteStore) -> None:
    publish_all(store, QUOTES, accounts=("nrf_x",))
    a = Scripted("x", {"nrf_x-h1": Metrics(1), "nrf_x-h2": Metrics(2)})
    campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 2 * HOUR)
    a.figures = {"nrf_x-h1": Metrics(10), "nrf_x-h2": Metrics(20)}
    r = campaign_report(store, "camp", Factory({"nrf_x": a}), now=T0 + 5 * HOUR)
    assert [(g.at, g.platform, g.engagement) for g in r.growth] == [(T0 + 2 * HOUR, "x", 3), (T0 + 5 * HOUR, "x", 30)]
    assert build_report(store, "camp", now=T0 + 6 * HOUR).totals.likes == 30  # stored figures, no fetch


def test_chart_is_a_slide_sized_png(store: SqliteStore, tmp_path: Path) -> None:
    from PIL import Image

    from campaign.report.chart import render_chart

    publish_all(store, QUOTES)
    sim = {f"{a}-{h}": Metrics(5 * i + 1, i, 1, 0, simulated=True) for i, (a, h) in
           enumerate((a, h) for a in ACCOUNTS for h in QUOTES)}
    f = Factory({a: Scripted("outbox", sim) for a in ACCOUNTS})
    campaign_report(store, "camp", f, now=T0 + 2 * HOUR)
    r = campaign_report(store, "camp", f, now=T0 + 20 * HOUR, refresh=True, quotes={"h1": Quote(QUOTES["h1"], "Ahmad Massoud")})
    out = render_chart(r, tmp_path / "out" / "chart.png")
    with Image.open(out) as im:
        assert im.size == (1600, 900) and im.format == "PNG"
        assert len(im.convert("RGB").resize((80, 45)).getcolors(5000) or []) > 20  # drawn, not blank


def test_a_quote_is_guessed_from_a_post_when_the_config_is_not_at_hand() -> None:
    assert quote_from_text("“We will resist.”\n— Ahmad Massoud\n\n#Afghanistan https://x.org") == \
        Quote("We will resist.", "Ahmad Massoud")
    assert quote_from_text("“Free Afghanistan now” — @AhmadMassoud01 #Afghanistan https://x.org") == \
        Quote("Free Afghanistan now", "@AhmadMassoud01")
    assert quote_from_text("A plain sentence of the article. https://x.org").speaker is None


def test_a_quote_is_named_as_it_was_queued_without_the_config(store: SqliteStore) -> None:
    from campaign.models import ReviewContext

    record = CampaignRecord("camp", "Camp", "UTC", "en", "/nowhere/gone.yaml", None, {"nrf_x": {"platform": "x"}}, T0)
    contexts = {"h1": ReviewContext(quote=QUOTES["h1"], speaker="Ahmad Massoud"),
                "h2": ReviewContext(quote=QUOTES["h2"], speaker="Someone Guessed", confident=False)}
    enqueue_plan(store, record, [PlannedPost(draft(h, "nrf_x", f"short post {h} #tag"), 0, T0, "UTC") for h in QUOTES],
                 now=T0, contexts=contexts)
    while (c := store.claim("w", now=T0 + HOUR)) is not None:
        store.succeed(c.job.id, "w", RemoteRef(f"nrf_x-{c.job.highlight_id}"), now=T0 + HOUR)
    r = build_report(store, "camp", now=T0 + 2 * HOUR)
    named = {h.highlight_id: h.quote for h in r.highlights}
    assert named == {"h1": Quote(QUOTES["h1"], "Ahmad Massoud"), "h2": Quote(QUOTES["h2"], None)}  # a guess is not named


def test_a_plugin_adapter_reports_through_the_documented_contract(store: SqliteStore, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/echo-adapter's `metrics`, as docs/adapters.md describes it, read by the report."""
    import json
    import sys

    from campaign.publish.adapters.base import AdapterContext

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "examples" / "echo-adapter"))
    monkeypatch.delitem(sys.modules, "campaign_echo", raising=False)
    from campaign_echo import EchoAdapter

    echo = EchoAdapter(AdapterContext("nrf_x", "echo", {"settings": {"path": str(tmp_path / "echoed")}}))
    refs = {h: echo.publish(draft(h, "nrf_x", f"post {h}"), key=f"k-{h}", reply_to=None) for h in QUOTES}
    log = tmp_path / "echoed" / "echo.jsonl"
    lines = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()]
    lines[0]["likes"] = 3
    log.write_text("".join(json.dumps(x) + "\n" for x in lines[:1]), encoding="utf-8")  # the second deleted
    record = CampaignRecord("camp", "Camp", "UTC", "en", ".", None, {"nrf_x": {"platform": "echo"}}, T0)
    enqueue_plan(store, record, [PlannedPost(draft(h, "nrf_x", f"post {h}"), 0, T0, "UTC") for h in QUOTES], now=T0)
    while (c := store.claim("w", now=T0 + HOUR)) is not None:
        store.succeed(c.job.id, "w", refs[c.job.highlight_id], now=T0 + HOUR)
    r = campaign_report(store, "camp", lambda job: echo, now=T0 + 2 * HOUR)
    assert r.fetch is not None and (r.fetch.fetched, r.fetch.gone, r.fetch.failures) == (2, 1, ())
    assert r.totals.likes == 3 and r.totals.gone == 1 and not r.simulated


def test_figures_per_day_of_publication_in_the_campaigns_zone(store: SqliteStore) -> None:
    record = CampaignRecord("camp", "Camp", "Europe/Paris", "en", ".", None, {"nrf_x": {"platform": "x"}}, T0)
    enqueue_plan(store, record, [PlannedPost(draft(h, "nrf_x", f"post {h}"), 0, T0, "Europe/Paris") for h in QUOTES],
                 now=T0)
    late_evening = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on 3 March in Paris
    for when in (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), late_evening):
        c = store.claim("w", now=when)
        assert c is not None
        store.succeed(c.job.id, "w", RemoteRef(f"nrf_x-{c.job.highlight_id}"), now=when)
    a = Scripted("x", {"nrf_x-h1": Metrics(4, 1, 0, 0), "nrf_x-h2": Metrics(9, 0, 0, 0)})
    r = campaign_report(store, "camp", Factory({"nrf_x": a}), now=late_evening + HOUR)
    assert r.zone == "Europe/Paris"
    assert [(d.day.isoformat(), d.figures.posts, d.figures.likes) for d in r.days] == [
        ("2026-03-02", 1, 4), ("2026-03-03", 1, 9)]
    assert to_dict(r)["days"][1] == {**to_dict(r)["days"][1], "day": "2026-03-03", "zone": "Europe/Paris", "likes": 9}
