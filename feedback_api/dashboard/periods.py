"""Days, weeks (Saturday to Friday) and months in the Solar Hijri or Gregorian calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from persiantools.jdatetime import JalaliDate as _JalaliDate

from feedback_api.dashboard.schemas import CalendarKind, Period
from persian_text import languages

# persiantools has no type hints.
JalaliDate: Any = _JalaliDate

SATURDAY = 5
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_GREGORIAN_FA = (
    "ژانویه",
    "فوریه",
    "مارس",
    "آوریل",
    "مه",
    "ژوئن",
    "ژوئیه",
    "اوت",
    "سپتامبر",
    "اکتبر",
    "نوامبر",
    "دسامبر",
)


def fa_digits(text: str) -> str:
    return text.translate(_FA_DIGITS)


def digits(text: str, lang: str) -> str:
    return languages.registry().get(lang).with_digits(text)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - SATURDAY) % 7)


def month_key(day: dt.date, calendar: CalendarKind) -> str:
    if calendar is CalendarKind.jalali:
        j = JalaliDate(day)
        return f"{j.year:04d}-{j.month:02d}"
    return f"{day.year:04d}-{day.month:02d}"


@lru_cache(maxsize=16384)
def period_key(day: dt.date, period: Period, calendar: CalendarKind) -> str:
    if period is Period.week:
        return week_start(day).isoformat()
    return month_key(day, calendar)


def month_bounds(day: dt.date, calendar: CalendarKind) -> tuple[dt.date, dt.date]:
    """First and last day of the month holding `day`."""
    if calendar is CalendarKind.jalali:
        j = JalaliDate(day)
        first = JalaliDate(j.year, j.month, 1).to_gregorian()
        last = JalaliDate(j.year, j.month, JalaliDate.days_in_month(j.month, j.year))
        return first, last.to_gregorian()
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def months_back(day: dt.date, months: int, calendar: CalendarKind) -> dt.date:
    """The first day of the month `months` before the month of `day`."""
    if calendar is CalendarKind.jalali:
        j = JalaliDate(day)
        index = j.year * 12 + (j.month - 1) - months
        return JalaliDate(index // 12, index % 12 + 1, 1).to_gregorian()
    index = day.year * 12 + (day.month - 1) - months
    return dt.date(index // 12, index % 12 + 1, 1)


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def period_starts(
    first: dt.date, last: dt.date, period: Period, calendar: CalendarKind
) -> list[tuple[str, dt.date]]:
    """Each period that meets [first, last]: its key and its first day in that range."""
    starts: list[tuple[str, dt.date]] = []
    for day in days(first, last):
        key = period_key(day, period, calendar)
        if not starts or starts[-1][0] != key:
            starts.append((key, day))
    return starts


def date_label(day: dt.date, calendar: CalendarKind, lang: str) -> str:
    if calendar is CalendarKind.jalali:
        j = JalaliDate(day)
        return digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}", lang)
    return digits(day.isoformat(), lang)


def period_label(key: str, period: Period, calendar: CalendarKind, lang: str) -> str:
    if period is Period.week:
        return date_label(dt.date.fromisoformat(key), calendar, lang)
    year, month = (int(part) for part in key.split("-"))
    if calendar is CalendarKind.jalali:
        name = JalaliDate(year, month, 1).strftime("%B", locale="fa" if lang == "fa" else "en")
        return f"{name} {digits(str(year), lang)}"
    if lang == "fa":
        return f"{_GREGORIAN_FA[month - 1]} {fa_digits(str(year))}"
    return dt.date(year, month, 1).strftime("%b %Y")


def utc_bounds(first: dt.date, last: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """[start of `first`, start of the day after `last`) in local time, as UTC instants."""
    tz = ZoneInfo(timezone)
    start = dt.datetime.combine(first, dt.time(0), tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.UTC)
    return start, end


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(ZoneInfo(timezone)).date()
