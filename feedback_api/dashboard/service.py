"""The dashboard's summary: every section for one role, filters and moment, in one answer.

Protection of the people behind the numbers, in every section:

- only codes, dates and counts are selected: never description, referral,
  contact or any free text;
- breakdowns (category, topic, province, language, channel, satisfaction,
  backlog) cover S0/S1 cases only; S2/S3 cases appear only as national counts
  per category and whole month (`sensitive`);
- every count table goes through `suppression.suppress_table` (k = 5, with
  complementary suppression); percentages, means and percentiles are only
  published when the count they rest on is published.

The sections, one module each: `scope` (which cases: role, window, filters),
`volumes`, `response` (response times), `backlog` (open and overdue now),
`satisfaction`, `sensitive`; `tables` turns counts into suppressed tables and
`labels` names the codes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from feedback_api.dashboard.backlog import backlog_tables
from feedback_api.dashboard.response import response_rows
from feedback_api.dashboard.satisfaction import satisfaction
from feedback_api.dashboard.schemas import DashboardFilters, Headline, ShareRow, Summary
from feedback_api.dashboard.scope import (
    check_role,
    open_conditions,
    scope_description,
    window_of,
)
from feedback_api.dashboard.sensitive import sensitive_section
from feedback_api.dashboard.suppression import K, share
from feedback_api.dashboard.volumes import province_topic_table, volume_tables


def build_summary(
    session: Session, role: str, filters: DashboardFilters, now: dt.datetime
) -> Summary:
    check_role(role)
    window = window_of(filters, now)
    lang = filters.lang
    volumes = volume_tables(session, role, filters, window).tables
    by_category = volumes["category"]
    shares = [
        ShareRow(
            code=code,
            label=label,
            count=count,
            pct=share(count, by_category.total),
        )
        for code, label, count in zip(
            by_category.rows, by_category.row_labels, by_category.row_totals or [], strict=True
        )
    ]
    province_topics, top = province_topic_table(session, role, filters, window)
    conditions = open_conditions(role, filters, window)
    response = response_rows(session, conditions, by_category, lang, now)
    backlog, overdue = backlog_tables(session, role, filters, now)
    by_channel, sat_channel = satisfaction(session, conditions, "channel", lang)
    by_cat, sat_category = satisfaction(session, conditions, "category", lang)
    headline = Headline(
        total_cases=by_category.total or 0,
        open_cases=backlog.total or 0,
        overdue_cases=overdue.total or 0,
        mean_satisfaction=sat_channel[-1].mean,
    )
    return Summary(
        generated_at=now,
        k=K,
        role_scope=scope_description(role),
        window_from=window.first,
        window_to=window.last,
        filters=filters,
        headline=headline,
        volumes=volumes,
        category_share=shares,
        province_topics=province_topics,
        top_topics=top,
        response=response,
        backlog=backlog,
        overdue=overdue,
        satisfaction_by_channel=by_channel,
        satisfaction_by_category=by_cat,
        satisfaction_channel=sat_channel,
        satisfaction_category=sat_category,
        sensitive=sensitive_section(session, role, filters, window, now),
    )
