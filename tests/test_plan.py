"""The plan: slots by weekday and local time, DST in two zones both ways, spacing, stagger, pins, jitter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.config import Schedule
from campaign.errors import PlanError
from campaign.models import Draft
from campaign.plan import plan


def drafts(n: int, accounts: tuple[str, ...] = ("a",), parts: int = 1) -> list[Draft]:
    return [Draft(f"h{i}", acct, "outbox", tuple(f"p{k}" for k in range(parts)), (2,) * parts, 280)
            for i in range(n) for acct in accounts]


def sched(**kw: Any) -> Schedule:
    base: dict[str, Any] = {"slots": [{"days": "daily", "times": ["09:00"]}], "spacing": "1h", "stagger": "0m"}
    base.update(kw)
    return Schedule.model_validate(base)


def local(p: Any, zone: str) -> str:
    return p.at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize("zone, before, after, utc_before, utc_after", [
    ("Europe/Paris", "2026-03-28", "2026-03-30", 8, 7),          # spring forward 03-29
    ("Europe/Paris", "2026-10-24", "2026-10-26", 7, 8),          # fall back 10-25
    ("America/New_York", "2026-03-07", "2026-03-09", 14, 13),    # spring forward 03-08
    ("America/New_York", "2026-10-31", "2026-11-02", 13, 14),    # fall back 11-01
])
def test_a_09_00_slot_stays_09_00_local_across_dst(zone: str, before: str, after: str,
                                                   utc_before: int, utc_after: int) -> None:
    start = datetime.fromisoformat(before + " 00:00")
    posts = plan(drafts(3), sched(start=start, end="5d"), zone, ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [p.at.astimezone(ZoneInfo(zone)).strftime("%H:%M") for p in posts] == ["09:00"] * 3
    assert [p.at.hour for p in posts] == [utc_before, posts[1].at.hour, utc_after]
    assert posts[-1].at.date() == date.fromisoformat(after)
    assert all(p.at.tzinfo == UTC and p.zone == zone and not p.notes for p in posts)


@pytest.mark.parametrize("zone, day, clock, expect_utc, word", [
    ("Europe/Paris", "2026-03-29", "02:30", "2026-03-29 01:30", "does not exist"),  # → 03:30 CEST
    ("America/New_York", "2026-03-08", "02:30", "2026-03-08 07:30", "does not exist"),  # → 03:30 EDT
    ("Europe/Paris", "2026-10-25", "02:30", "2026-10-25 00:30", "happens twice"),  # first: CEST
    ("America/New_York", "2026-11-01", "01:30", "2026-11-01 05:30", "happens twice"),  # first: EDT
])
def test_nonexistent_moves_forward_and_ambiguous_takes_the_first(zone: str, day: str, clock: str,
                                                                 expect_utc: str, word: str) -> None:
    start = datetime.fromisoformat(day + " 00:00")
    s = sched(start=start, end="1d", slots=[{"days": "daily", "times": [clock]}])
    (post,) = plan(drafts(1), s, zone, ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert post.at == datetime.fromisoformat(expect_utc).replace(tzinfo=UTC)
    assert len(post.notes) == 1 and word in post.notes[0] and zone in post.notes[0]
    if word == "does not exist":
        assert post.at.astimezone(ZoneInfo(zone)).strftime("%H:%M") == "03:30"


def test_weekdays_only_and_start_now() -> None:
    now = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # Friday 11:00 in Paris: Friday's 09:00 has passed
    s = sched(slots=[{"days": "weekdays", "times": ["09:00", "18:00"]}], end="7d")
    posts = plan(drafts(4), s, "Europe/Paris", ["a"], now=now)
    assert [local(p, "Europe/Paris") for p in posts] == [
        "2026-03-06 18:00 CET", "2026-03-09 09:00 CET", "2026-03-09 18:00 CET", "2026-03-10 09:00 CET"]


def test_spacing_per_account_skips_slots_too_close() -> None:
    s = sched(slots=[{"days": "daily", "times": ["09:00", "10:00", "11:00", "12:00", "13:00"]}],
              spacing="2h", start=datetime(2026, 5, 4), end="1d")
    posts = plan(drafts(3), s, "UTC", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [p.at.hour for p in posts] == [9, 11, 13]


def test_stagger_offsets_each_account_and_zero_means_together() -> None:
    s = sched(stagger="10m", start=datetime(2026, 5, 4), end="3d")
    posts = plan(drafts(1, ("x", "m", "b")), s, "UTC", ["x", "m", "b"], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [(p.draft.account, p.at.strftime("%H:%M")) for p in posts] == [("x", "09:00"), ("m", "09:10"), ("b", "09:20")]
    s0 = sched(stagger="0m", start=datetime(2026, 5, 4), end="3d")
    together = plan(drafts(1, ("x", "m")), s0, "UTC", ["x", "m"], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert together[0].at == together[1].at


def test_thread_parts_go_back_to_back() -> None:
    s = sched(thread_gap="30s", start=datetime(2026, 5, 4), end="3d")
    posts = plan(drafts(1, parts=3), s, "UTC", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [(p.part, p.at.strftime("%H:%M:%S")) for p in posts] == [(0, "09:00:00"), (1, "09:00:30"), (2, "09:01:00")]


def test_pinned_time_and_spacing_around_it() -> None:
    s = sched(start=datetime(2026, 5, 4), end="5d", spacing="12h",
              at={"h1": "2026-05-04 09:30"}, slots=[{"days": "daily", "times": ["09:00"]}])
    posts = plan(drafts(3), s, "Europe/Paris", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))
    by = {p.draft.highlight_id: local(p, "Europe/Paris") for p in posts}
    # 05-04 09:00 is free of other slots but 30 minutes from the pinned post: skipped
    assert by == {"h1": "2026-05-04 09:30 CEST", "h0": "2026-05-05 09:00 CEST", "h2": "2026-05-06 09:00 CEST"}
    assert any("pinned" in n for p in posts if p.draft.highlight_id == "h1" for n in p.notes)


def test_jitter_is_seeded_bounded_and_stable() -> None:
    def run(seed: int, n: int = 5) -> list[datetime]:
        s = sched(jitter="20m", seed=seed, start=datetime(2026, 5, 4), end="10d")
        return [p.at for p in plan(drafts(n), s, "UTC", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))]

    first = run(1)
    assert first == run(1) and first != run(2)
    assert all(timedelta(0) <= t - t.replace(hour=9, minute=0, second=0) < timedelta(minutes=20) for t in first)
    assert run(1, 3) == first[:3]  # a post's jitter does not depend on the other drafts


def test_drafts_that_do_not_fit_are_an_error_not_a_loss() -> None:
    s = sched(start=datetime(2026, 5, 4), end="2d")
    with pytest.raises(PlanError, match=r"1 of 3 highlights \(1 posts\) find no free slot before the end"):
        plan(drafts(3), s, "UTC", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))


def test_end_as_a_time_and_bad_input() -> None:
    s = sched(start=datetime(2026, 5, 4), end=datetime(2026, 5, 6, 12))
    assert len(plan(drafts(3), s, "UTC", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))) == 3
    with pytest.raises(PlanError, match="aware"):
        plan(drafts(1), s, "UTC", ["a"], now=datetime(2026, 1, 1))
    with pytest.raises(PlanError, match="not in the plan's accounts"):
        plan(drafts(1, ("z",)), s, "UTC", ["a"], now=datetime(2026, 1, 1, tzinfo=UTC))


def test_plan_is_deterministic_and_sorted() -> None:
    s = sched(stagger="5m", jitter="3m", start=datetime(2026, 5, 4), end="10d")
    args = (drafts(4, ("a", "b"), parts=2), s, "Europe/Paris", ["a", "b"])
    one = plan(*args, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert one == plan(*args, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert [p.at for p in one] == sorted(p.at for p in one)


ZONES = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kabul", "America/Santiago", "UTC"]


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), day=st.dates(date(2025, 1, 1), date(2028, 12, 31)),
       hour=st.integers(0, 23), minute=st.sampled_from([0, 15, 30, 45]))
def test_every_post_lands_on_its_wall_clock_or_says_why(zone: str, day: date, hour: int, minute: int) -> None:
    clock = f"{hour:02d}:{minute:02d}"
    s = sched(start=datetime.combine(day, datetime.min.time()), end="3d",
              slots=[{"days": "daily", "times": [clock]}])
    for p in plan(drafts(2), s, zone, ["a"], now=datetime(2020, 1, 1, tzinfo=UTC)):
        wall = p.at.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        assert wall == clock or (p.notes and "does not exist" in p.notes[0])
        if p.notes and "happens twice" in p.notes[0]:
            assert p.at.astimezone(ZoneInfo(zone)).fold == 0
