"""Sensitive (S2/S3) cases: national counts per category and whole month, never finer.

The section is left out (None) once a province, channel or language filter is
set, since those would cut the counts below national level.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from feedback_api.dashboard.response import response_rows
from feedback_api.dashboard.schemas import DashboardFilters, Period, Sensitive
from feedback_api.dashboard.scope import Window, restricted_conditions, whole_months
from feedback_api.dashboard.tables import make_table, period_buckets, period_series, rows_for


def sensitive_section(
    session: Session, role: str, filters: DashboardFilters, window: Window, now: dt.datetime
) -> Sensitive | None:
    if filters.breaks_down_geography_or_people:
        return None
    months = whole_months(window, filters.calendar)
    conditions = restricted_conditions(role, filters, months)
    buckets = period_buckets(months, Period.month, filters.calendar, filters.lang)
    data = period_series(session, conditions, "category", buckets)
    rows = rows_for("category", (c for c, _ in data.counts), restricted=True)
    table = make_table(
        "restricted_by_month",
        "category",
        rows,
        buckets.keys,
        buckets.labels,
        data.counts,
        filters.lang,
    )
    response = response_rows(session, conditions, table, filters.lang, now)
    return Sensitive(
        window_from=months.first, window_to=months.last, counts=table, response=response
    )
