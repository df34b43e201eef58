"""The plan: when each draft goes out, as aware UTC times computed from the schedule rules.

`plan(drafts, schedule, zone, accounts, now=...)` is pure and deterministic:

- Slots are local wall-clock times on chosen weekdays (`09:00` on weekdays) in the
  schedule's IANA zone; a 09:00 slot stays 09:00 local across DST changes.
- A local time that does not exist (spring forward) moves forward by the gap
  (02:30 → 03:30); one that happens twice (fall back) takes the first occurrence.
  Both are noted on the post (`PlannedPost.notes`), as are other adjustments.
- Highlights take slots in the order of `drafts` (their rank), one highlight per
  slot; every account posts it in that slot, offset by `stagger × the account's
  position in accounts` (stagger 0: all at once), plus an optional jitter drawn
  from `seed`, the highlight and the account (so it does not move when other
  drafts change).
- Two posts of one account are never closer than `spacing`: a highlight takes the
  next slot where all its accounts are free.
- `at: {highlight id: time}` pins a highlight to a time; pinned posts are placed
  first, and slotted posts keep their spacing from them.
- A thread's parts follow its first part, `thread_gap` apart.
- `start: now` is the given `now`; `end` is a time or a duration after start.
- Drafts that find no slot before `end` are an error (`PlanError`, naming how many
  and what to change), never silently dropped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaign.config.schema import DAYS, Schedule
from campaign.errors import PlanError
from campaign.models import Draft, PlannedPost

HORIZON = timedelta(days=366)  # an open-ended schedule still ends somewhere


def resolve_local(naive: datetime, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """A local wall-clock time → (aware UTC, a note when DST moved or disambiguated it)."""
    first = naive.replace(tzinfo=tz, fold=0)
    moment = first.astimezone(UTC)
    wall = moment.astimezone(tz).replace(tzinfo=None)
    if wall != naive:  # in a spring-forward gap: fold=0 reads it with the old offset, i.e. later
        return moment, (f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks go forward); "
                        f"moved to {wall:%H:%M}")
    if first.utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset():
        return moment, (f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key} (clocks go back); "
                        f"the first one ({first.tzname()}) is used")
    return moment, None


def _moment(value: datetime, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """A config time: naive is local to the zone; one with an offset is taken as given."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC), None
    return resolve_local(value, tz)


def _slots(schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[tuple[datetime, str | None]]:
    """Every slot instant in [start, end), in time order, with its DST note."""
    day: date = start.astimezone(tz).date()
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        name = DAYS[day.weekday()]
        clocks: set[time] = {t for s in schedule.slots if name in s.days for t in s.times}
        seen: dict[datetime, str | None] = {}
        for clock in clocks:
            moment, note = resolve_local(datetime.combine(day, clock), tz)
            if moment not in seen or note is None:  # 02:30 moved onto 03:30: keep 03:30's (no) note
                seen[moment] = note
        for moment in sorted(seen):
            if start <= moment < end:
                yield moment, seen[moment]
        day += timedelta(days=1)


def _bounds(schedule: Schedule, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime, bool, list[str]]:
    notes: list[str] = []
    if now.tzinfo is None or now.utcoffset() is None:
        raise PlanError("plan() needs an aware `now` (a time with a zone)")
    if schedule.start == "now":
        start = now.astimezone(UTC)
    else:
        start, note = _moment(schedule.start, tz)
        notes += [f"start: {note}"] if note else []
    open_ended = schedule.end is None
    if schedule.end is None:
        end = start + HORIZON
    elif isinstance(schedule.end, timedelta):
        end = start + schedule.end
    else:
        end, note = _moment(schedule.end, tz)
        notes += [f"end: {note}"] if note else []
    if end <= start:
        raise PlanError(f"the schedule ends ({end:%Y-%m-%d %H:%M} UTC) before it starts ({start:%Y-%m-%d %H:%M} UTC)")
    return start, end, open_ended, notes


def plan(drafts: list[Draft], schedule: Schedule, zone: str, accounts: list[str], *,
         now: datetime) -> list[PlannedPost]:
    """A time for every part of every draft; sorted by time, then account order, then part."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PlanError(f"unknown time zone '{zone}'") from None
    start, end, open_ended, bound_notes = _bounds(schedule, tz, now)
    position = {a: i for i, a in enumerate(accounts)}
    unknown = sorted({d.account for d in drafts} - set(position))
    if unknown:
        raise PlanError(f"drafts for account(s) not in the plan's accounts: {', '.join(unknown)}")

    by_highlight: dict[str, list[Draft]] = {}
    for d in drafts:
        same = by_highlight.setdefault(d.highlight_id, [])
        if any(o.account == d.account for o in same):
            raise PlanError(f"two drafts of highlight {d.highlight_id} for account {d.account}")
        same.append(d)

    busy: dict[str, list[tuple[datetime, datetime]]] = {a: [] for a in accounts}
    out: list[PlannedPost] = []

    def offset(d: Draft) -> timedelta:
        jitter = timedelta(0)
        if schedule.jitter > timedelta(0):
            r = random.Random(f"{schedule.seed}:{d.highlight_id}:{d.account}").random()
            jitter = timedelta(seconds=round(r * schedule.jitter.total_seconds()))
        return schedule.stagger * position[d.account] + jitter

    def span(d: Draft, base: datetime) -> tuple[datetime, datetime]:
        first = base + offset(d)
        return first, first + schedule.thread_gap * (len(d.parts) - 1)

    def free(d: Draft, base: datetime) -> bool:
        a, b = span(d, base)
        gap = schedule.spacing
        return all(a >= y + gap or b + gap <= x for x, y in busy[d.account])

    def place(group: list[Draft], base: datetime, notes: list[str]) -> None:
        for d in group:
            a, b = span(d, base)
            busy[d.account].append((a, b))
            for k in range(len(d.parts)):
                out.append(PlannedPost(d, k, a + schedule.thread_gap * k, zone, tuple(bound_notes + notes)))

    pinned = [h for h in by_highlight if h in schedule.at]
    for hid in pinned:
        moment, note = _moment(schedule.at[hid], tz)
        notes = [f"at: {note}"] if note else []
        if moment < now:
            notes.append("pinned time is in the past: it goes out as soon as it is queued")
        place(by_highlight[hid], moment, notes + ["pinned by schedule.at"])

    slots = _slots(schedule, tz, start, end)
    unplaced: list[str] = []
    for hid, group in by_highlight.items():
        if hid in schedule.at:
            continue
        for moment, note in slots:
            if all(free(d, moment) for d in group):
                place(group, moment, [note] if note else [])
                break
        else:
            unplaced.append(hid)
    if unplaced:
        posts = sum(len(by_highlight[h]) for h in unplaced)
        until = "within a year" if open_ended else f"before the end ({end.astimezone(tz):%Y-%m-%d %H:%M} {zone})"
        raise PlanError(
            f"{len(unplaced)} of {len(by_highlight)} highlights ({posts} posts) find no free slot {until}: "
            f"{', '.join(unplaced[:5])}{'...' if len(unplaced) > 5 else ''}; extend schedule.end, add slots, "
            f"lower schedule.spacing ({schedule.spacing}) or post fewer highlights"
        )
    out.sort(key=lambda p: (p.at, position[p.draft.account], p.part))
    return out


def slots_between(schedule: Schedule, zone: str, start: datetime, end: datetime) -> Iterator[datetime]:
    """The schedule's slot instants in [start, end), in time order (aware UTC)."""
    return (moment for moment, _ in _slots(schedule, ZoneInfo(zone), start, end))
