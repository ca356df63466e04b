"""Due times: when a case must be acknowledged, acted on and closed (business hours)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, case

from feedback_api.business_calendar import BusinessCalendar
from feedback_api.cases.models import Case
from feedback_api.cases.state_machine import CLOSED
from feedback_api.db import utcnow
from feedback_api.settings import get_settings
from feedback_api.taxonomy import load_taxonomy


def calendar() -> BusinessCalendar:
    settings = get_settings()
    return BusinessCalendar(
        timezone=settings.business_timezone,
        weekdays=frozenset(settings.business_days),
        start=settings.business_start,
        end=settings.business_end,
        holidays=frozenset(settings.holidays),
    )


def compute_due_times(case_: Case) -> None:
    category = load_taxonomy().category(case_.category)
    cal = calendar()
    case_.ack_due_at = cal.due(case_.created_at, category.ack_hours, category.clock)
    case_.act_due_at = cal.due(case_.created_at, category.act_hours, category.clock)
    case_.close_due_at = cal.due(case_.created_at, category.close_hours, category.clock)


def next_due(case_: Case) -> dt.datetime | None:
    if case_.status in CLOSED:
        return None
    if case_.acknowledged_at is None and case_.ack_due_at:
        return case_.ack_due_at
    if case_.first_action_at is None and case_.act_due_at:
        return case_.act_due_at
    return case_.close_due_at


def is_overdue(case_: Case, now: dt.datetime | None = None) -> bool:
    due = next_due(case_)
    return due is not None and due < (now or utcnow())


def next_due_expr() -> ColumnElement[Any]:
    """`next_due` as SQL, to order the queue in the database."""
    return case(
        (and_(Case.acknowledged_at.is_(None), Case.ack_due_at.is_not(None)), Case.ack_due_at),
        (and_(Case.first_action_at.is_(None), Case.act_due_at.is_not(None)), Case.act_due_at),
        else_=Case.close_due_at,
    )
