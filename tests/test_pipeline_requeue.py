"""Re-queueing a `start: now` campaign days later: new posts on past slots are reported, not hidden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import campaign.pipeline
from campaign.config import CampaignConfig, load
from campaign.models import Draft
from campaign.pipeline import queue_campaign
from campaign.queue.sqlite import SqliteStore

CONFIG = """\
campaign: {name: Late, slug: late, timezone: UTC}
article: {source: article.txt}
accounts: {one: {platform: outbox}}
schedule:
  start: now
  end: 30d
  slots: [{days: daily, times: ["09:00"]}]
  spacing: 1h
"""


def late_campaign(tmp_path: Path, monkeypatch: Any, ids: list[str]) -> tuple[CampaignConfig, SqliteStore]:
    """CONFIG in `tmp_path` and its queue; the build yields one single-post draft per id in `ids`
    (the caller's list, edited between re-queues)."""
    (tmp_path / "article.txt").write_text("An article.\n")
    (tmp_path / "c.yaml").write_text(CONFIG)

    def fake_build(cfg: Any, **kw: Any) -> Any:
        drafts = [Draft(h, "one", "outbox", (f"post {h}",), (6,), 10**9) for h in ids]
        return SimpleNamespace(article=None, highlights=[], drafts=drafts, cards=[])

    monkeypatch.setattr(campaign.pipeline, "build", fake_build)
    return load(tmp_path / "c.yaml"), SqliteStore(tmp_path / "q.sqlite3")


T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_new_posts_on_past_slots_are_warned_about(tmp_path: Path, monkeypatch) -> None:
    ids = ["h1"]
    cfg, store = late_campaign(tmp_path, monkeypatch, ids)
    first, _ = queue_campaign(cfg, store, now=T0)
    assert first.late == () and "warning" not in first.summary()
    ids.insert(0, "h0")  # a new top highlight: it takes the first slot, long past by now
    later, _ = queue_campaign(cfg, store, now=T0 + timedelta(days=5))
    assert len(later.late) == 1 and "go out at the next run" in later.summary()
    store.close()


def test_a_post_back_in_the_config_after_its_slot_passed_is_warned_about(tmp_path: Path, monkeypatch) -> None:
    ids = ["h0", "h1"]
    cfg, store = late_campaign(tmp_path, monkeypatch, ids)
    queue_campaign(cfg, store, now=T0)
    ids.remove("h0")  # excluded for a while: cancelled
    assert queue_campaign(cfg, store, now=T0)[0].counts()["cancelled"] == 1
    ids.insert(0, "h0")  # back, days after its slot
    back, _ = queue_campaign(cfg, store, now=T0 + timedelta(days=5))
    assert back.counts()["requeued"] == 1 and len(back.late) == 1 and "go out at the next run" in back.summary()
    store.close()


def test_a_highlight_queued_under_an_old_all_digit_id_keeps_its_jobs(tmp_path: Path, monkeypatch) -> None:
    """Ids never all digits now; a queue written before still holds them: re-queueing must
    find those jobs (a sent post is not sent again under its new id)."""
    import hashlib
    import importlib

    from campaign.models import Highlight

    select = importlib.import_module("campaign.highlights.select")

    text = next(t for t in (f"We will keep our promise number {i} to every family." for i in range(10_000))
                if select.legacy_id(t))
    old = hashlib.sha1(select.normalize(text).encode()).hexdigest()[:8]
    assert old.isdigit() and select.highlight_id(text) != old
    current = {"id": old}

    def fake_build(cfg: Any, **kw: Any) -> Any:
        h = Highlight(current["id"], "quote", text, "A. Speaker", 1.0, -1, -1)  # an `extra:` quote
        drafts = [Draft(h.id, "one", "outbox", (f"“{text}”",), (len(text) + 2,), 10**9)]
        return SimpleNamespace(article=None, highlights=[h], drafts=drafts, cards=[])

    monkeypatch.setattr(campaign.pipeline, "build", fake_build)
    (tmp_path / "article.txt").write_text("An article.\n")
    (tmp_path / "c.yaml").write_text(CONFIG)
    cfg = load(tmp_path / "c.yaml")
    store = SqliteStore(tmp_path / "q.sqlite3")
    t0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    queue_campaign(cfg, store, now=t0)  # an older version: the all-digit id
    current["id"] = select.highlight_id(text)  # this version
    again, _ = queue_campaign(cfg, store, now=t0 + timedelta(hours=1))
    assert again.counts() == {"unchanged": 1}
    assert [j.highlight_id for j in store.jobs()] == [old]
    store.close()
