"""Office-hours arithmetic for response-time targets.

Business-clock targets count only working hours (Saturday-Wednesday,
08:00-16:00 Asia/Tehran by default, minus holidays); calendar-clock targets
count every hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "Asia/Tehran"
    weekdays: frozenset[int] = frozenset({5, 6, 0, 1, 2})  # Monday=0: Sat-Wed
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(16, 0)
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, self.start, self.tz),
            dt.datetime.combine(day, self.end, self.tz),
        )

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.tz)
        if not self.is_working_day(local.date()):
            return False
        opens, closes = self._window(local.date())
        return opens <= local < closes

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself if open, else the start of the next working window."""
        local = moment.astimezone(self.tz)
        day = local.date()
        for _ in range(400):
            if self.is_working_day(day):
                opens, closes = self._window(day)
                if local < closes:
                    return max(local, opens).astimezone(dt.UTC)
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(0), self.tz)
        raise ValueError("no working day within a year: check the calendar settings")

    def add_working_hours(self, moment: dt.datetime, hours: float) -> dt.datetime:
        """The moment when `hours` of office time have passed after `moment`."""
        remaining = dt.timedelta(hours=hours)
        if remaining <= dt.timedelta(0):
            return moment.astimezone(dt.UTC)
        cursor = self.next_opening(moment)
        while True:
            local = cursor.astimezone(self.tz)
            _, closes = self._window(local.date())
            available = closes - local
            if remaining <= available:
                return (local + remaining).astimezone(dt.UTC)
            remaining -= available
            cursor = self.next_opening(closes + dt.timedelta(microseconds=1))

    def due(self, moment: dt.datetime, hours: int | None, clock: str) -> dt.datetime | None:
        if hours is None:
            return None
        if clock == "calendar":
            return (moment + dt.timedelta(hours=hours)).astimezone(dt.UTC)
        return self.add_working_hours(moment, hours)
