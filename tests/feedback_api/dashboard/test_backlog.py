"""The backlog now: open cases by age and overdue cases by stage."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import summary
from tests.feedback_api.dashboard.factories import ANCHOR


def test_backlog_and_overdue(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session, date_from="2025-01-01")  # the backlog ignores the date range
    ages, overdue = ref.backlog(seeded, ANCHOR)
    ref.check_table(data.backlog, ages)
    ref.check_table(data.overdue, overdue)
    assert data.headline.open_cases == sum(ages.values())
    assert data.headline.overdue_cases == sum(overdue.values())
