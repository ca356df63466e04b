"""Which cases the figures count: the default window and the category filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from feedback_api.dashboard.schemas import CalendarKind, Period
from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import summary


def test_the_default_window_is_twelve_solar_hijri_months(
    session: Session, seeded: list[dict[str, Any]]
) -> None:
    data = summary(session)
    # ANCHOR is 1403/12/21; the window starts on 1403/01/01.
    assert data.window_from == dt.date(2024, 3, 20)
    assert data.window_to == dt.date(2025, 3, 11)
    assert data.volumes["category"].columns == [f"1403-{m:02d}" for m in range(1, 13)]
    assert data.volumes["category"].column_labels[0] == "فروردین ۱۴۰۳"


def test_category_filter(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session, category="CMN", period="week")
    rows = ref.selected(seeded, data.window_from, data.window_to, category="CMN")
    ref.check_table(
        data.volumes["province"], ref.by_period(rows, "province", Period.week, CalendarKind.jalali)
    )
    assert data.sensitive is not None
    # Only CMN cases raised to S3 by hand remain in the sensitive section.
    assert all(
        v in (0, "<5")
        for r, v in zip(
            data.sensitive.counts.rows, data.sensitive.counts.row_totals or [], strict=True
        )
        if r != "CMN"
    )
