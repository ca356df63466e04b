"""Volumes per period by each dimension, and topics by province, against a naive count."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from feedback_api.dashboard.schemas import CalendarKind, Period
from feedback_api.dashboard.volumes import DIMENSIONS
from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import summary


@pytest.mark.parametrize(
    ("period", "calendar"),
    [
        (Period.month, CalendarKind.jalali),
        (Period.month, CalendarKind.gregorian),
        (Period.week, CalendarKind.jalali),
    ],
)
def test_volumes_match_the_data(
    session: Session, seeded: list[dict[str, Any]], period: Period, calendar: CalendarKind
) -> None:
    data = summary(session, period=period, calendar=calendar)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    for dimension in DIMENSIONS:
        ref.check_table(data.volumes[dimension], ref.by_period(rows, dimension, period, calendar))
    # S2/S3 cases never reach a breakdown, even when their category is an S1 one.
    assert not {"SEA", "CSG", "FRD", "MIS", "SAF", "DPB"} & {
        r
        for r, v in zip(
            data.volumes["category"].rows, data.volumes["category"].row_totals or [], strict=True
        )
        if v not in (0, "<5")
    }
    assert data.volumes["category"].total == len(rows)


def test_topics_by_province_and_the_top_three(
    session: Session, seeded: list[dict[str, Any]]
) -> None:
    data = summary(session)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    raw = ref.cross(rows, "province", "topic")
    ref.check_table(data.province_topics, raw)
    tehran = sorted(((n, t) for (p, t), n in raw.items() if p == "Tehran"), key=lambda x: -x[0])
    assert data.top_topics["Tehran"] == [t for _, t in tehran[:3]]
    assert "Ilam" not in data.top_topics or len(data.top_topics["Ilam"]) <= 3
