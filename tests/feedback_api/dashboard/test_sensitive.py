"""S2/S3 cases: national monthly counts only, and none under a geographic or people filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from feedback_api.dashboard.schemas import CalendarKind, Period
from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import summary
from tests.feedback_api.dashboard.factories import ANCHOR


def test_sensitive_cases_are_national_and_monthly(
    session: Session, seeded: list[dict[str, Any]]
) -> None:
    data = summary(session, date_from="2024-06-10", date_to="2024-08-15", calendar="gregorian")
    assert data.sensitive is not None
    # Widened to whole months, national.
    assert (data.sensitive.window_from, data.sensitive.window_to) == (
        dt.date(2024, 6, 1), dt.date(2024, 8, 31)
    )  # fmt: skip
    rows = ref.selected(seeded, dt.date(2024, 6, 1), dt.date(2024, 8, 31), restricted=True)
    ref.check_table(
        data.sensitive.counts, ref.by_period(rows, "category", Period.month, CalendarKind.gregorian)
    )
    assert data.sensitive.counts.columns == ["2024-06", "2024-07", "2024-08"]
    expected = ref.response(rows, ANCHOR)
    for item in data.sensitive.response:
        figures = expected[item.code]["act"]
        decided = figures["on"] + figures["late"]
        ref.check_cell(item.act.decided, decided)
        if isinstance(item.act.decided, int):
            assert item.act.on_time_pct == round(100 * figures["on"] / decided, 1)


@pytest.mark.parametrize("name", ["province", "channel", "language"])
def test_a_geographic_or_people_filter_hides_sensitive_cases(
    session: Session, seeded: list[dict[str, Any]], name: str
) -> None:
    value = {"province": "Tehran", "channel": "sms", "language": "prs"}[name]
    data = summary(session, **{name: value})
    assert data.sensitive is None
    rows = ref.selected(seeded, data.window_from, data.window_to, **{name: value})
    ref.check_table(
        data.volumes["topic"], ref.by_period(rows, "topic", Period.month, CalendarKind.jalali)
    )
