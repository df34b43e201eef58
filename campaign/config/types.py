"""Typed scalars of the campaign YAML: durations, zones, local times, clocks, language tags."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(d|h|m|s)")
#: caps: a campaign has no use for more, and bigger values overflow dates (`end: 3000000d`)
MAX_DURATION_CHARS = 40
MAX_DURATION = timedelta(days=3660)
MIN_YEAR, MAX_YEAR = 1970, 9000


def parse_duration(value: Any) -> timedelta:
    """Parse `10m`, `2h`, `1d`, `90s` or `1h30m` into a timedelta; bare numbers are refused."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ValueError(f"give a unit, e.g. '{value}m' or '{value}h' (s, m, h, d)")
    if not isinstance(value, str):
        raise ValueError("expected a duration such as 10m, 2h or 1d")
    if len(value) > MAX_DURATION_CHARS:
        raise ValueError(f"too long for a duration ({len(value)} characters; the limit is {MAX_DURATION_CHARS})")
    text = value.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    while pos < len(text):  # one part after another, anchored: never rescanned from each digit
        m = _DURATION_PART.match(text, pos)
        if not m:
            break
        total += float(m.group(1)) * units[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(f"'{value}' is not a duration; use e.g. 10m, 2h, 1d or 1h30m")
    if total > MAX_DURATION.total_seconds():
        raise ValueError(f"'{value}' is too long a duration (the limit is {MAX_DURATION.days} days)")
    return timedelta(seconds=total)


def parse_zone(value: Any) -> str:
    """Check an IANA zone name such as Europe/Paris."""
    if not isinstance(value, str) or not value:
        raise ValueError("expected an IANA time zone such as Europe/Paris")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = closest_zone(value)
        hint = f"did you mean '{close}'?" if close else "use an IANA name such as Europe/Paris"
        raise ValueError(f"unknown time zone '{value}' ({hint})") from None
    return value


def closest_zone(value: str) -> str | None:
    """The IANA zone `value` most likely means: same name in other case (`europe/paris`), or
    a close spelling (`Asia/Hongkong` -> `Asia/Hong_Kong`, `Europe/Pariss` -> `Europe/Paris`)."""
    from difflib import get_close_matches
    from zoneinfo import available_timezones

    zones = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    by_key = {_zone_key(z): z for z in zones}
    key = _zone_key(value[:100])
    city = key.rsplit("/", 1)[-1]
    cities = {k.rsplit("/", 1)[-1]: z for k, z in by_key.items()}
    if key in by_key or city in cities:  # `europe/paris`; the city in another region (`Europe/Kabul`)
        return by_key.get(key) or cities[city]
    close = get_close_matches(key, list(by_key), n=1, cutoff=0.75)
    if close:
        return by_key[close[0]]
    close = get_close_matches(city, list(cities), n=1, cutoff=0.8)
    return cities[close[0]] if close else None


def _zone_key(name: str) -> str:
    """A zone name compared loosely: case, spaces, `_` and `-` do not count."""
    return re.sub(r"[\s_-]+", "", name.strip().lower())


def parse_local_datetime(value: Any) -> datetime:
    """`2026-12-01 09:00` (naive: local to the schedule's zone) or an ISO time with offset."""
    out: datetime | None = None
    if isinstance(value, datetime):
        out = value
    elif isinstance(value, date):
        out = datetime.combine(value, time(0, 0))
    elif isinstance(value, str) and len(value) <= 64:
        try:
            out = datetime.fromisoformat(value.strip().replace("T", " "))
        except ValueError:
            pass
    if out is None:
        raise ValueError(f"'{str(value)[:64]}' is not a date and time; use e.g. 2026-12-01 09:00")
    if not MIN_YEAR <= out.year <= MAX_YEAR:  # dates near year 1 or 9999 overflow once shifted
        raise ValueError(f"'{value}' is out of range (years {MIN_YEAR} to {MAX_YEAR})")
    return out


def parse_date_or_duration(value: Any) -> datetime | timedelta:
    """`2026-12-08 18:00` or `7d`: one message when it is neither, not one per reading."""
    try:
        return parse_local_datetime(value)
    except ValueError as as_time:
        if "out of range" in str(as_time):
            raise
        try:
            return parse_duration(value)
        except ValueError as as_duration:
            if isinstance(value, int | float) or "too long" in str(as_duration):
                raise
    shown = str(value)[:64]
    raise ValueError(f"'{shown}' is neither a date and time (e.g. 2026-12-08 18:00) nor a duration (e.g. 7d or 36h)")


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
DateOrDuration = Annotated[datetime | timedelta, BeforeValidator(parse_date_or_duration)]
Language = Annotated[str, BeforeValidator(parse_language)]


