"""From counts in SQL to published tables: row order, counts per period, suppression.

Every count table of the dashboard is made by `make_table`, so every one goes
through `suppression.suppress_table` (k = 5, with complementary suppression).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.elements import KeyedColumnElement

from feedback_api.cases.models import Case
from feedback_api.dashboard import periods
from feedback_api.dashboard.labels import UNKNOWN, label
from feedback_api.dashboard.schemas import (
    CHANNELS,
    CalendarKind,
    Period,
    Table,
    people_languages,
)
from feedback_api.dashboard.scope import OPEN_SENSITIVITY, RESTRICTED_SENSITIVITY, Window
from feedback_api.dashboard.suppression import suppress_table
from feedback_api.settings import get_settings
from feedback_api.taxonomy import load_provinces, load_taxonomy


def code_of(value: object) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


def cross_counts(
    session: Session,
    conditions: list[ColumnElement[bool]],
    rows: QueryableAttribute[Any],
    columns: QueryableAttribute[Any],
) -> dict[tuple[str, str], int]:
    """Cases per (row value, column value), both as codes."""
    query = select(rows, columns, func.count()).where(*conditions).group_by(rows, columns)
    return {(code_of(r), code_of(c)): int(n) for r, c, n in session.execute(query)}


def rows_for(dimension: str, seen: Iterable[str], restricted: bool = False) -> list[str]:
    """Row keys in a stable order: every value of the dimension, then unexpected ones."""
    seen = set(seen)
    taxonomy = load_taxonomy()
    if dimension == "category":
        wanted = RESTRICTED_SENSITIVITY if restricted else OPEN_SENSITIVITY
        base = [c.code for c in taxonomy.categories.values() if c.sensitivity.value in wanted]
        extra = [c for c in taxonomy.categories if c in seen and c not in base]
        return base + extra
    base = {
        "topic": list(taxonomy.topics),
        "province": list(load_provinces()),
        "channel": list(CHANNELS),
        "language": list(people_languages()),
    }[dimension]
    extra = sorted(key for key in seen if key not in base and key != UNKNOWN)
    return base + extra + ([UNKNOWN] if UNKNOWN in seen else [])


def make_table(
    name: str,
    dimension: str,
    rows: Sequence[str],
    columns: Sequence[str],
    column_labels: Sequence[str],
    counts: dict[tuple[str, str], int],
    lang: str,
    *,
    row_labels: Sequence[str] | None = None,
) -> Table:
    matrix = [[counts.get((row, col), 0) for col in columns] for row in rows]
    suppressed = suppress_table(matrix)
    return Table(
        name=name,
        rows=list(rows),
        row_labels=list(row_labels) if row_labels else [label(dimension, r, lang) for r in rows],
        columns=list(columns),
        column_labels=list(column_labels),
        cells=suppressed.cells,
        row_totals=suppressed.row_totals,
        column_totals=suppressed.column_totals,
        total=suppressed.total,
    )


@dataclass
class Series:
    """Counts per (dimension value, period), before suppression, and closed counts."""

    counts: dict[tuple[str, str], int]
    closed: dict[tuple[str, str], int]


@dataclass(frozen=True)
class Buckets:
    """The periods of a window: keys, labels, and the period of `created_at` as an SQL index."""

    index: ColumnElement[int]
    keys: list[str]
    labels: list[str]


def period_buckets(window: Window, period: Period, calendar: CalendarKind, lang: str) -> Buckets:
    """The index compares `created_at` with the periods' first instants.

    The boundaries are computed here with the zone database (Tehran days), so
    both backends bucket identically and no date function runs per row.
    """
    timezone = get_settings().business_timezone
    starts = periods.period_starts(window.first, window.last, period, calendar)
    keys = [key for key, _ in starts]
    labels = [periods.period_label(key, period, calendar, lang) for key in keys]
    if len(starts) <= 1:
        return Buckets(literal(0), keys, labels)
    whens = [
        (Case.created_at < periods.utc_bounds(day, day, timezone)[0], i)
        for i, (_, day) in enumerate(starts[1:])
    ]
    return Buckets(case(*whens, else_=len(keys) - 1), keys, labels)


def period_series(
    session: Session, conditions: list[ColumnElement[bool]], dimension: str, buckets: Buckets
) -> Series:
    index = buckets.index.label("bucket")
    column: KeyedColumnElement[Any] = getattr(Case, dimension)
    query = (
        select(
            index,
            column,
            func.count(),
            func.sum(case((Case.closed_at.is_not(None), 1), else_=0)),
        )
        .where(*conditions)
        .group_by(index, column)
    )
    counts: dict[tuple[str, str], int] = {}
    closed: dict[tuple[str, str], int] = {}
    for position, value, count, closed_count in session.execute(query):
        key = (code_of(value), buckets.keys[int(position)])
        counts[key] = int(count)
        closed[key] = int(closed_count or 0)
    return Series(counts, closed)
