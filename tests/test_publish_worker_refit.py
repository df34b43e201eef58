"""A post refused as too long although it fitted our count (Takahē counts a URL in full while
advertising 23): the worker re-fits it once counting the text as written, instead of failing the
post and its thread, and says so in the job's events. Real Mastodon.py, a loopback server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from campaign.config import load
from campaign.pipeline import queue_campaign
from campaign.posts.refit import FullCountRules
from campaign.publish.worker import adapters_from_store, run
from campaign.queue.sqlite import SqliteStore
from tests.fakes.mastodon import TOKEN, FakeMastodon, status_length

QUOTE = ("We did not choose this war, and we will not abandon the people of Afghanistan to it. "
         "Europe must not recognise those who oppress millions of Afghan women and girls. "
         "Stand with those who resist.")
LINK = ("https://example.org/news/2026/11/30/the-leader-of-the-national-resistance-front-"
        "addresses-the-european-parliament-in-strasbourg")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # in the past: every post is due


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("CAMPAIGN_SECRETS", str(tmp_path / "secrets.json"))
    monkeypatch.setenv("CAMPAIGN_NRF_MASTODON_ACCESS_TOKEN", TOKEN)


def campaign_yaml(tmp_path: Path, instance: str, templates: list[str], hashtags: list[str]) -> Path:
    (tmp_path / "article.txt").write_text(f"“{QUOTE}” said Ahmad Massoud in Strasbourg.\n", encoding="utf-8")
    data = {
        "campaign": {"name": "Refit", "slug": "refit", "language": "en", "timezone": "Europe/Paris"},
        "article": {"source": "article.txt", "url": LINK},
        "highlights": {"auto": {"count": 0}, "extra": [{"text": QUOTE, "speaker": "Ahmad Massoud"}]},
        "posts": {"templates": templates, "hashtags": hashtags,
                  "threads": {"allow": True, "max_parts": 4}},
        "cards": {"enabled": False},
        "accounts": {"nrf_mastodon": {"platform": "mastodon", "instance": instance}},
        "schedule": {"start": "now", "end": "7d", "slots": [{"days": "every day", "times": ["09:00"]}]},
        "review": "off",  # these tests publish at once; review has its own tests
    }
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def queue_and_run(cfg_path: Path, store: SqliteStore):
    queue_campaign(load(cfg_path), store, now=NOW, cards=False, asap=True)
    return run(store, adapters_from_store(store), once=True, handle_signals=False, limits={})


def events(store: SqliteStore, job_id: int) -> list[tuple[str, str]]:
    return [(e.kind, e.detail or "") for e in store.events(job_id)]


def test_a_post_refused_for_its_url_becomes_a_thread(tmp_path):
    with FakeMastodon.takahe(max_characters=300) as srv:
        cfg = campaign_yaml(tmp_path, srv.url, ["“{quote}”\n— {speaker}\n\n{hashtags}\n{link}"],
                            ["Afghanistan", "StandWithNRF"])
        store = SqliteStore(tmp_path / "q.sqlite3")
        queue_campaign(load(cfg), store, now=NOW, cards=False, asap=True)
        (first,) = store.jobs()
        assert first.parts == 1 and len(first.draft.text) > 300  # fits with 23 per URL, not in full
        report = run(store, adapters_from_store(store), once=True, handle_signals=False, limits={})
        assert report.refitted == 1 and report.failed == 0
        jobs = sorted(store.jobs(), key=lambda j: j.part)
        assert [j.status for j in jobs] == ["succeeded", "succeeded"] and jobs[0].parts == 2
        posted = srv.posted()
        assert [s.text for s in posted] == [j.draft.text for j in jobs]
        assert all(len(s.text) <= 300 for s in posted)  # what the server counts
        assert posted[1].in_reply_to_id == posted[0].id and LINK in posted[0].text
        kinds = events(store, jobs[0].id)
        refit = [d for k, d in kinds if k == "refit"]
        assert len(refit) == 1 and "1 part(s) -> 2 part(s)" in refit[0] and "URLs and mentions in full" in refit[0]
        assert ("updated", ) == tuple(k for k, _ in kinds if k == "updated")
        assert any(k == "queued" and "re-fitted" in d for k, d in events(store, jobs[1].id))
        # queued again (the organizer runs `campaign queue`): the instance is known to count URLs
        # in full, so the same thread is composed; nothing is sent twice or edited
        again, _ = queue_campaign(load(cfg), store, now=NOW, cards=False, asap=True)
        assert again.counts() == {"sent": 2}
        assert run(store, adapters_from_store(store), once=True, handle_signals=False,
                   limits={}).handled == 0
        assert len(srv.posted()) == 2
        store.close()


def test_fewer_hashtags_when_that_is_enough(tmp_path):
    with FakeMastodon.takahe(max_characters=445) as srv:
        cfg = campaign_yaml(tmp_path, srv.url, ["“{quote}”\n— {speaker}\n\n{hashtags}\n{link}"],
                            ["Afghanistan", "StandWithNRF", "FreeAfghanistan?", "EuropeListen?"])
        store = SqliteStore(tmp_path / "q.sqlite3")
        report = queue_and_run(cfg, store)
        assert report.refitted == 1 and report.failed == 0
        (job,) = store.jobs()
        assert job.status == "succeeded" and job.parts == 1
        (status,) = srv.posted()
        assert "#StandWithNRF" in status.text and "#EuropeListen" not in status.text
        assert len(status.text) <= 445 and "#FreeAfghanistan" in status.text
        store.close()


def test_a_limit_lowered_since_it_was_read(tmp_path):
    with FakeMastodon(max_characters=500) as srv:
        cfg = campaign_yaml(tmp_path, srv.url, ["“{quote}”\n— {speaker}\n\n{hashtags}\n{link}"],
                            ["Afghanistan", "StandWithNRF"])
        store = SqliteStore(tmp_path / "q.sqlite3")
        queue_campaign(load(cfg), store, now=NOW, cards=False, asap=True)
        srv.max_characters = 200  # the admin lowered it after the campaign was queued
        report = run(store, adapters_from_store(store), once=True, handle_signals=False, limits={})
        assert report.refitted == 1 and report.failed == 0
        jobs = sorted(store.jobs(), key=lambda j: j.part)
        assert {j.status for j in jobs} == {"succeeded"} and len(jobs) >= 2
        assert all(status_length(s.text) <= 200 for s in srv.posted())
        assert any(k == "refit" and "the limits read again" in d for k, d in events(store, jobs[0].id))
        store.close()


def test_re_fitted_once_only(tmp_path, monkeypatch):
    with FakeMastodon.takahe(max_characters=300) as srv:
        cfg = campaign_yaml(tmp_path, srv.url, ["“{quote}”\n— {speaker}\n\n{hashtags}\n{link}"],
                            ["Afghanistan", "StandWithNRF"])
        store = SqliteStore(tmp_path / "q.sqlite3")
        queue_campaign(load(cfg), store, now=NOW, cards=False, asap=True)
        srv.max_characters = 60  # enforces far less than it advertises: no re-fit can satisfy it
        monkeypatch.setattr(srv, "_configuration", lambda: {"statuses": {"max_characters": 300}})
        report = run(store, adapters_from_store(store), once=True, handle_signals=False, limits={})
        assert report.refitted == 1 and report.failed == 1 and not srv.posted()
        jobs = sorted(store.jobs(), key=lambda j: j.part)
        assert [j.status for j in jobs] == ["failed"] * len(jobs)
        assert "not re-fitted: it was re-fitted once already" in (jobs[0].last_error or "")
        store.close()


def test_no_re_fit_without_the_campaigns_yaml(tmp_path):
    with FakeMastodon.takahe(max_characters=300) as srv:
        cfg = campaign_yaml(tmp_path, srv.url, ["“{quote}”\n— {speaker}\n\n{hashtags}\n{link}"],
                            ["Afghanistan", "StandWithNRF"])
        store = SqliteStore(tmp_path / "q.sqlite3")
        queue_campaign(load(cfg), store, now=NOW, cards=False, asap=True)
        cfg.unlink()
        report = run(store, adapters_from_store(store), once=True, handle_signals=False, limits={})
        assert report.failed == 1 and report.refitted == 0
        (job,) = store.jobs()
        assert "Status is too long" in (job.last_error or "") and "not re-fitted" in (job.last_error or "")
        store.close()


def test_full_url_rules_count_urls_in_full():
    from campaign import platforms

    m = platforms.get("mastodon", max_characters=100)
    strict = FullCountRules.of(m)
    text = "Read " + LINK
    assert m.length(text) == 5 + 23 and strict.length(text) == len(text)
    assert strict.length("Read https://a.io") == 5 + 23  # never less than the platform counts
    assert strict.max_chars == 100 and not strict.fits(text) and m.fits(text)
    assert strict.problems(text) == [f"too long: {len(text)}/100, counted as written (URLs and mentions in full)"]
    mention = "Thanks @ahmadmassoud@mastodon.social"
    assert m.length(mention) == len("Thanks @ahmadmassoud") and strict.length(mention) == len(mention)
    assert strict.length("👍🏽") == 2 and m.length("👍🏽") == 1  # code points, as Takahē's len()
    assert FullCountRules.of(strict) is strict and strict.entities(text) == m.entities(text)
    b = platforms.get("bluesky")
    assert FullCountRules.of(b).length(text) == b.length(text)  # Bluesky counts URLs in full already
