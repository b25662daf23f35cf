"""When a dealer's campaign may send: its quiet hours (Europe/Oslo), never on public holidays."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays

OSLO = ZoneInfo("Europe/Oslo")


@cache
def _norway(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NO", years=year)


def is_public_holiday(day: dt.date) -> bool:
    return day in _norway(day.year)


def _window(hours: dict[str, Any], day: dt.date) -> tuple[dt.time, dt.time] | None:
    if is_public_holiday(day):
        return None
    key = {5: "saturday", 6: "sunday"}.get(day.weekday(), "weekdays")
    value = hours.get(key)
    if not value:
        return None
    start, end = (dt.time.fromisoformat(v) for v in value)
    return (start, end) if start < end else None


def next_open(hours: dict[str, Any] | None, now: dt.datetime) -> dt.datetime:
    """``now`` when sending is allowed, else the next moment it is (at most two weeks ahead)."""
    if not hours:
        return now
    local = now.astimezone(OSLO)
    for offset in range(15):
        day = local.date() + dt.timedelta(days=offset)
        window = _window(hours, day)
        if window is None:
            continue
        opens = dt.datetime.combine(day, window[0], OSLO)
        closes = dt.datetime.combine(day, window[1], OSLO)
        if local < opens:
            return opens
        if local < closes:
            return now
    raise ValueError("The sending hours allow no sending in the next two weeks.")
