"""How many cases: S0/S1 cases per period by each dimension, and topics by province."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.dashboard.labels import label
from feedback_api.dashboard.schemas import DashboardFilters, Table
from feedback_api.dashboard.scope import Window, open_conditions
from feedback_api.dashboard.tables import (
    Series,
    cross_counts,
    make_table,
    period_buckets,
    period_series,
    rows_for,
)

DIMENSIONS = ("category", "topic", "province", "language", "channel")


@dataclass
class Volumes:
    tables: dict[str, Table]
    series: dict[str, Series]
    keys: list[str]


def volume_tables(
    session: Session,
    role: str,
    filters: DashboardFilters,
    window: Window,
) -> Volumes:
    conditions = open_conditions(role, filters, window)
    buckets = period_buckets(window, filters.period, filters.calendar, filters.lang)
    tables: dict[str, Table] = {}
    series: dict[str, Series] = {}
    for dimension in DIMENSIONS:
        data = period_series(session, conditions, dimension, buckets)
        rows = rows_for(dimension, (value for value, _ in data.counts))
        tables[dimension] = make_table(
            f"volume_by_{dimension}",
            dimension,
            rows,
            buckets.keys,
            buckets.labels,
            data.counts,
            filters.lang,
        )
        series[dimension] = data
    return Volumes(tables, series, buckets.keys)


def province_topic_table(
    session: Session, role: str, filters: DashboardFilters, window: Window
) -> tuple[Table, dict[str, list[str]]]:
    conditions = open_conditions(role, filters, window)
    counts = cross_counts(session, conditions, Case.province, Case.topic)
    rows = rows_for("province", (p for p, _ in counts))
    topics = rows_for("topic", (t for _, t in counts))
    lang = filters.lang
    table = make_table(
        "topics_by_province",
        "province",
        rows,
        topics,
        [label("topic", t, lang) for t in topics],
        counts,
        lang,
    )
    top: dict[str, list[str]] = {}
    for row, cells in zip(table.rows, table.cells, strict=True):
        published = [(value, i) for i, value in enumerate(cells) if isinstance(value, int)]
        published.sort(key=lambda item: (-item[0], item[1]))
        if published:
            top[row] = [topics[i] for _, i in published[:3]]
    return table, top
