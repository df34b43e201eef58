"""The pack reads times as people write them, and a thread's later parts are replies, not posts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from campaign.pack.clock import clock, twelve_hour
from campaign.pack.writer import _slot_line, _window_view, write_pack
from tests.helpers import WINDOW, make_sample, needs_chromium, write_sample


def test_times_are_24_hour_unless_the_language_reads_am_pm() -> None:
    assert clock(time(0, 30)) == "00:30" and clock(time(12, 30), "fr") == "12:30"
    assert clock(time(0, 30), "en-US") == "12:30 AM" and clock(time(12, 30), "en-US") == "12:30 PM"
    assert twelve_hour("en-US") and twelve_hour("hi") and not twelve_hour("en") and not twelve_hour("fa-AF")
    assert _slot_line(["mon", "tue", "wed", "thu", "fri"], [time(9), time(18)]) == "Weekdays at 09:00, 18:00"
    assert _slot_line(["sat"], [time(18)], "en-US") == "Sat at 6:00 PM"
    start, end = datetime(2026, 12, 1, 12, 30, tzinfo=UTC), datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    utc = _window_view((start, end), "UTC")
    assert (utc["text"], utc["label"], utc["hour12"]) == ("Tuesday 1 December 2026, 12:30–15:00", "UTC", False)
    us = _window_view((start, end), "America/New_York", "en-US")
    assert us["text"] == "Tuesday 1 December 2026, 7:30 AM–10:00 AM" and us["hour12"] is True


def test_later_thread_parts_have_no_share_link_but_say_where_they_go(tmp_path: Path) -> None:
    s, index = write_sample(tmp_path)
    html = index.read_text(encoding="utf-8")
    thread = next(d for d in s.drafts if len(d.parts) > 1)
    first = f"post-{thread.platform}-{thread.highlight_id}-part-1"
    second = f"post-{thread.platform}-{thread.highlight_id}-part-2"
    assert f'data-source="{first}"' in html and f'data-source="{second}"' not in html
    assert f'data-reply-note="{second}-reply"' in html and "Reply to part 1…" in html
    assert f'id="{second}-reply" hidden>Part 2 is not a new post: it must be posted as a reply to part 1' in html


def _page(browser: Any, index: Path, zone: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, timezone_id=zone, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(index.as_uri())
    return context, (page, errors)


@needs_chromium
@pytest.mark.parametrize("zone,expected", [
    # the visitor's zone named once, on the page's 24-hour clock (not "8:00 AM UTC (UTC)")
    ("UTC", "Tuesday 1 December 2026, 08:00 to Monday 7 December 2026, 17:00 UTC"),
    ("Asia/Kabul", "Tuesday 1 December 2026, 12:30 to Monday 7 December 2026, 21:30 Kabul time"),
    ("America/New_York", "Tuesday 1 December 2026, 03:00 to Monday 7 December 2026, 12:00 New York time (EST)"),
])
def test_the_window_in_the_visitors_time_reads_like_the_rest(browser: Any, tmp_path: Path, zone: str,
                                                              expected: str) -> None:
    _, index = write_sample(tmp_path)
    context, (page, errors) = _page(browser, index, zone)
    try:
        text = page.text_content("#window-local-text")
        assert text == expected
        assert "AM" not in text and "PM" not in text and "(UTC)" not in text
        assert errors == []
    finally:
        context.close()


@needs_chromium
def test_a_campaign_in_us_english_reads_am_pm_everywhere(browser: Any, tmp_path: Path) -> None:
    s = make_sample(tmp_path)
    index = write_pack(replace(s.brief, language="en-US"), s.highlights, s.drafts, s.cards,
                       tmp_path / "pack", window=WINDOW)
    context, (page, _) = _page(browser, index, "UTC")
    try:
        text = page.text_content("#window-local-text")
        assert text == "Tuesday 1 December 2026, 8:00 AM to Monday 7 December 2026, 5:00 PM UTC", text
    finally:
        context.close()


@needs_chromium
def test_the_reply_button_copies_the_part_and_explains(browser: Any, tmp_path: Path) -> None:
    s, index = write_sample(tmp_path)
    thread = next(d for d in s.drafts if len(d.parts) > 1)
    second = f"post-{thread.platform}-{thread.highlight_id}-part-2"
    context, (page, errors) = _page(browser, index, "UTC")
    try:
        page.click(f"#tab-{thread.platform}")
        part = page.locator(".part", has=page.locator(f"#{second}"))
        assert part.locator("[data-share]").count() == 0  # no page pretends to post it alone
        button = part.locator("[data-reply-note]")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.is_hidden(f"#{second}-reply")
        button.click()
        assert page.is_visible(f"#{second}-reply") and button.get_attribute("aria-expanded") == "true"
        assert "reply to part 1" in page.text_content(f"#{second}-reply")
        page.wait_for_function("async t => (await navigator.clipboard.readText()) === t", arg=thread.parts[1])
        assert errors == []
    finally:
        context.close()
