"""Due times: office hours (Saturday-Wednesday 08:00-16:00 Tehran), weekends, holidays, clocks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from feedback_api.business_calendar import BusinessCalendar
from feedback_api.cases import due
from feedback_api.cases.models import Case
from feedback_api.settings import Settings, get_settings

TEHRAN = ZoneInfo("Asia/Tehran")
CAL = BusinessCalendar()


def tehran(day: int, hour: int, minute: int = 0, month: int = 1) -> dt.datetime:
    """A moment in January 2025, Tehran time (2025-01-08 is a Wednesday)."""
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TEHRAN)


def test_the_dates_used_here_fall_on_the_expected_weekdays() -> None:
    assert [tehran(d, 12).strftime("%a") for d in range(8, 15)] == [
        "Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue"
    ]  # fmt: skip


def test_thursday_and_friday_are_the_weekend() -> None:
    assert CAL.is_open(tehran(8, 10))  # Wednesday
    assert not CAL.is_open(tehran(9, 10))  # Thursday
    assert not CAL.is_open(tehran(10, 10))  # Friday
    assert CAL.is_open(tehran(11, 8))  # Saturday, on the stroke of eight
    assert not CAL.is_open(tehran(11, 16))  # closes at four
    assert not CAL.is_open(tehran(11, 7, 59))


def test_a_day_of_working_hours_spans_the_weekend() -> None:
    # Wednesday 15:00: one hour left; Thursday and Friday do not count; Saturday 7 more hours.
    assert CAL.add_working_hours(tehran(8, 15), 8) == tehran(11, 15).astimezone(dt.UTC)


def test_a_three_day_target_from_wednesday_afternoon_lands_on_monday() -> None:
    # 24 working hours (CMN acknowledgement) = 1 (Wed) + 8 (Sat) + 8 (Sun) + 7 (Mon).
    assert CAL.due(tehran(8, 15), 24, "business") == tehran(13, 15).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (tehran(9, 10), tehran(13, 16)),  # Thursday: the clock starts Saturday 08:00
        (tehran(10, 23), tehran(13, 16)),  # Friday night
        (tehran(11, 6), tehran(13, 16)),  # Saturday before opening
        (tehran(7, 20), tehran(12, 16)),  # Tuesday evening: starts Wednesday 08:00
        (tehran(8, 16), tehran(13, 16)),  # Wednesday at closing time: next window is Saturday
    ],
)
def test_outside_office_hours_the_clock_starts_at_the_next_opening(
    created: dt.datetime, expected: dt.datetime
) -> None:
    assert CAL.due(created, 24, "business") == expected.astimezone(dt.UTC)


def test_holidays_are_skipped() -> None:
    # Nowruz-style holidays on Saturday and Sunday push the target two days on.
    holidays = BusinessCalendar(holidays=frozenset({dt.date(2025, 1, 11), dt.date(2025, 1, 12)}))
    assert holidays.due(tehran(8, 15), 24, "business") == tehran(15, 15).astimezone(dt.UTC)
    assert not holidays.is_open(tehran(11, 10))
    assert holidays.next_opening(tehran(9, 10)) == tehran(13, 8).astimezone(dt.UTC)


def test_calendar_clock_counts_every_hour() -> None:
    # S2/S3 categories run on calendar hours: a Thursday night report is due Friday night.
    assert CAL.due(tehran(9, 22), 24, "calendar") == tehran(10, 22).astimezone(dt.UTC)
    assert CAL.due(tehran(9, 22), 1, "calendar") == tehran(9, 23).astimezone(dt.UTC)


def test_null_targets_have_no_due_time() -> None:
    assert CAL.due(tehran(8, 10), None, "business") is None
    assert CAL.due(tehran(8, 10), None, "calendar") is None


def test_a_zero_hour_target_is_due_at_once() -> None:
    assert CAL.due(tehran(9, 10), 0, "business") == tehran(9, 10).astimezone(dt.UTC)


def test_due_times_are_utc() -> None:
    due = CAL.due(tehran(8, 10), 4, "business")
    assert due is not None and due.utcoffset() == dt.timedelta(0)
    assert due == dt.datetime(2025, 1, 8, 10, 30, tzinfo=dt.UTC)  # 14:00 Tehran = 10:30 UTC


def _case(category: str, created: dt.datetime) -> Case:
    case = Case(category=category, created_at=created.astimezone(dt.UTC))
    due.compute_due_times(case)
    return case


def test_a_minor_complaint_gets_business_day_targets() -> None:
    case = _case("CMN", tehran(8, 15))  # ack 24, act 120, close 336 working hours
    assert case.ack_due_at == tehran(13, 15).astimezone(dt.UTC)
    assert case.act_due_at == CAL.add_working_hours(tehran(8, 15), 120)
    # 120 working hours = 15 working days = 3 working weeks.
    assert case.act_due_at == tehran(29, 15).astimezone(dt.UTC)


def test_a_safety_report_gets_calendar_hour_targets_over_the_weekend() -> None:
    case = _case("SAF", tehran(9, 22))  # Thursday night: ack 0, act 1, close 72 calendar hours
    assert case.ack_due_at == tehran(9, 22).astimezone(dt.UTC)
    assert case.act_due_at == tehran(9, 23).astimezone(dt.UTC)
    assert case.close_due_at == tehran(12, 22).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("category", "missing"),
    [("OTH", "close_due_at"), ("APP", "act_due_at"), ("SUG", "act_due_at"), ("RUM", "ack_due_at")],
)
def test_categories_without_a_target_have_no_due_time(category: str, missing: str) -> None:
    case = _case(category, tehran(8, 10))
    assert getattr(case, missing) is None


def test_the_next_due_time_follows_the_case_through_its_stages() -> None:
    case = _case("CMN", tehran(8, 10))
    case.status = "NEW"
    assert due.next_due(case) == case.ack_due_at
    case.acknowledged_at = tehran(8, 11)
    assert due.next_due(case) == case.act_due_at
    case.first_action_at = tehran(8, 12)
    assert due.next_due(case) == case.close_due_at
    case.status = "CLOSED_LOOP"
    assert due.next_due(case) is None
    assert not due.is_overdue(case, now=tehran(28, 12, month=2))


def test_holidays_and_office_hours_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOLIDAYS", "2025-01-11, 2025-01-12")
    monkeypatch.setenv("BUSINESS_DAYS", "5,6,0,1,2")
    monkeypatch.setenv("BUSINESS_START", "09:00")
    monkeypatch.setenv("BUSINESS_END", "13:00")
    configured = Settings()
    assert configured.holidays == [dt.date(2025, 1, 11), dt.date(2025, 1, 12)]
    monkeypatch.setattr(due, "get_settings", lambda: configured)
    cal = due.calendar()
    # 4 hours a day: Wednesday 12:00 has one hour left, then Monday 09:00-12:00.
    assert cal.due(tehran(8, 12), 4, "business") == tehran(13, 12).astimezone(dt.UTC)
    assert get_settings().holidays == []  # the real settings were not touched
