"""The state now: open S0/S1 cases by age, and those past a target by stage.

Under the filters but whatever the date range: these tables show the backlog
at the moment the dashboard is opened.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.dashboard.labels import text
from feedback_api.dashboard.response import STAGES
from feedback_api.dashboard.schemas import DashboardFilters, Table
from feedback_api.dashboard.scope import open_conditions
from feedback_api.dashboard.tables import code_of, make_table, rows_for

CLOSED_STATUSES = ("CLOSED_LOOP", "CLOSED_REFERRED", "CLOSED_NO_CONTACT", "WITHDRAWN", "DUPLICATE")
AGE_BUCKETS = (0, 1, 3, 7, 14, 30)  # lower bounds in days


def backlog_tables(
    session: Session, role: str, filters: DashboardFilters, now: dt.datetime
) -> tuple[Table, Table]:
    conditions = [*open_conditions(role, filters, window=None), Case.status.not_in(CLOSED_STATUSES)]
    age = case(
        *[
            (Case.created_at > now - dt.timedelta(days=low), AGE_BUCKETS[i - 1])
            for i, low in enumerate(AGE_BUCKETS)
            if i > 0
        ],
        else_=AGE_BUCKETS[-1],
    ).label("age")
    # The first stage still to do decides: the case is overdue there or not at all.
    stage = case(
        (
            and_(Case.acknowledged_at.is_(None), Case.ack_due_at.is_not(None)),
            case((Case.ack_due_at < now, "ack"), else_=None),
        ),
        (
            and_(Case.first_action_at.is_(None), Case.act_due_at.is_not(None)),
            case((Case.act_due_at < now, "act"), else_=None),
        ),
        (Case.close_due_at < now, "close"),
        else_=None,
    ).label("stage")
    query = (
        select(Case.category, age, stage, func.count())
        .where(*conditions)
        .group_by(Case.category, age, stage)
    )
    ages: dict[tuple[str, str], int] = defaultdict(int)
    overdue: dict[tuple[str, str], int] = defaultdict(int)
    for category, age_value, stage_value, count in session.execute(query):
        ages[(code_of(category), f"age_{int(age_value)}")] += int(count)
        if stage_value is not None:
            overdue[(code_of(category), str(stage_value))] += int(count)
    rows = rows_for("category", (c for c, _ in ages))
    lang = filters.lang
    age_keys = [f"age_{low}" for low in AGE_BUCKETS]
    backlog = make_table(
        "open_by_age", "category", rows, age_keys, [text(k, lang) for k in age_keys], ages, lang
    )
    overdue_table = make_table(
        "overdue_by_stage",
        "category",
        rows,
        list(STAGES),
        [text(f"stage_{s}", lang) for s in STAGES],
        overdue,
        lang,
    )
    return backlog, overdue_table
