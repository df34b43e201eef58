"""Typed scalars of the campaign YAML: durations, zones, local times, clocks, language tags."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)")


def parse_duration(value: Any) -> timedelta:
    """Parse `10m`, `2h`, `1d`, `90s` or `1h30m` into a timedelta; bare numbers are refused."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ValueError(f"give a unit, e.g. '{value}m' or '{value}h' (s, m, h, d)")
    if not isinstance(value, str):
        raise ValueError("expected a duration such as 10m, 2h or 1d")
    text = value.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(f"'{value}' is not a duration; use e.g. 10m, 2h, 1d or 1h30m")
    return timedelta(seconds=total)


def parse_zone(value: Any) -> str:
    """Check an IANA zone name such as Europe/Paris."""
    if not isinstance(value, str) or not value:
        raise ValueError("expected an IANA time zone such as Europe/Paris")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{value}' (use an IANA name such as Europe/Paris)") from None
    return value


def parse_local_datetime(value: Any) -> datetime:
    """`2026-12-01 09:00` (naive: local to the schedule's zone) or an ISO time with offset."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0))
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("T", " "))
        except ValueError:
            pass
    raise ValueError(f"'{value}' is not a date and time; use e.g. 2026-12-01 09:00")


def parse_clock(value: Any) -> time:
    """`09:00` (YAML may hand us minutes since midnight for unquoted 09:00)."""
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1440:
        return time(value // 60, value % 60)  # YAML 1.1 sexagesimal: 09:00 -> 540
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return time(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"'{value}' is not a time of day; use HH:MM such as 09:00")


def parse_language(value: Any) -> str:
    """A BCP 47 tag such as en, fa-AF, pt-BR, prs (Dari), ps (Pashto)."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        raise ValueError(f"'{value}' is not a BCP 47 language tag such as en, fr or fa-AF")
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Zone = Annotated[str, BeforeValidator(parse_zone)]
LocalDateTime = Annotated[datetime, BeforeValidator(parse_local_datetime)]
Clock = Annotated[time, BeforeValidator(parse_clock)]
Language = Annotated[str, BeforeValidator(parse_language)]


