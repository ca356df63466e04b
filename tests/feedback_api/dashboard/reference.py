"""A naive, independent re-computation of the dashboard's figures from the seeded rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from feedback_api.dashboard import periods
from feedback_api.dashboard.schemas import CalendarKind, Count, Period, Table
from feedback_api.taxonomy import load_taxonomy

TEHRAN = dt.timedelta(hours=3, minutes=30)  # no daylight saving time since 2022
CLOSED = {"CLOSED_LOOP", "CLOSED_REFERRED", "CLOSED_NO_CONTACT", "WITHDRAWN", "DUPLICATE"}


def local_day(row: dict[str, Any]) -> dt.date:
    created: dt.datetime = row["created_at"]
    return (created + TEHRAN).date()


def code(value: object) -> str:
    return "_unknown" if value is None else str(value)


def selected(
    rows: list[dict[str, Any]],
    first: dt.date,
    last: dt.date,
    *,
    restricted: bool = False,
    **filters: str | None,
) -> list[dict[str, Any]]:
    wanted = {"S2", "S3"} if restricted else {"S0", "S1"}
    out = []
    for row in rows:
        if row["status"] == "DUPLICATE" or row["sensitivity"] not in wanted:
            continue
        if not first <= local_day(row) <= last:
            continue
        if any(value is not None and row[name] != value for name, value in filters.items()):
            continue
        out.append(row)
    return out


def by_period(
    rows: list[dict[str, Any]], dimension: str, period: Period, calendar: CalendarKind
) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        counts[(code(row[dimension]), periods.period_key(local_day(row), period, calendar))] += 1
    return dict(counts)


def cross(rows: list[dict[str, Any]], a: str, b: str) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        counts[(code(row[a]), code(row[b]))] += 1
    return dict(counts)


def check_cell(shown: Count | None, raw: int) -> None:
    if isinstance(shown, int):
        assert shown == raw, (shown, raw)
    elif shown == "<5":
        assert raw < 5, raw
    else:
        assert shown == "x", shown
        assert raw >= 5, raw


def check_table(table: Table, raw: dict[tuple[str, str], int]) -> None:
    """Every figure of the table against the raw counts, and the table is protected."""
    assert {r for r, _ in raw} <= set(table.rows), "a value is missing from the rows"
    assert {c for _, c in raw} <= set(table.columns), "a value is missing from the columns"
    for i, row in enumerate(table.rows):
        for j, col in enumerate(table.columns):
            check_cell(table.cells[i][j], raw.get((row, col), 0))
    if table.row_totals is not None:
        for i, row in enumerate(table.rows):
            check_cell(table.row_totals[i], sum(v for (r, _), v in raw.items() if r == row))
    if table.column_totals is not None:
        for j, col in enumerate(table.columns):
            check_cell(table.column_totals[j], sum(v for (_, c), v in raw.items() if c == col))
    if table.total is not None:
        check_cell(table.total, sum(raw.values()))
    check_protected(table)


def check_protected(table: Table) -> None:
    """No line (row or column, with its total) has exactly one withheld member."""
    full = [[*row, t] for row, t in zip(table.cells, table.row_totals or [], strict=True)]
    if table.column_totals is not None:
        full.append([*table.column_totals, table.total])
    for line in full:
        assert sum(not isinstance(v, int) for v in line) != 1, line
    for column in zip(*full, strict=True):
        assert sum(not isinstance(v, int) for v in column) != 1, column


def hours(a: dt.datetime, b: dt.datetime) -> float:
    return (a - b).total_seconds() / 3600


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    position = p * (len(values) - 1)
    low = int(position)
    if low + 1 >= len(values):
        return values[low]
    return values[low] + (position - low) * (values[low + 1] - values[low])


STAGES = {
    "ack": ("acknowledged_at", "ack_due_at"),
    "act": ("first_action_at", "act_due_at"),
    "close": ("closed_at", "close_due_at"),
}


def response(rows: list[dict[str, Any]], now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Per category and ALL: {stage: (on_time, late, durations)}."""
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {s: {"on": 0, "late": 0, "d": []} for s in STAGES}
    )
    for row in rows:
        if row["status"] == "WITHDRAWN":
            continue
        for key in (row["category"], "ALL"):
            for stage, (done_name, due_name) in STAGES.items():
                done, due = row[done_name], row[due_name]
                figures = out[key][stage]
                if done is not None:
                    figures["d"].append(hours(done, row["created_at"]))
                if due is None:
                    continue
                if done is not None and done <= due:
                    figures["on"] += 1
                elif (done is not None and done > due) or (done is None and due < now):
                    figures["late"] += 1
    return out


AGES = (0, 1, 3, 7, 14, 30)


def backlog(
    rows: list[dict[str, Any]], now: dt.datetime
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    ages: dict[tuple[str, str], int] = defaultdict(int)
    overdue: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["status"] in CLOSED or row["sensitivity"] not in ("S0", "S1"):
            continue
        age = (now - row["created_at"]).total_seconds() / 86400
        bucket = max(low for low in AGES if age >= low)
        ages[(row["category"], f"age_{bucket}")] += 1
        if row["acknowledged_at"] is None and row["ack_due_at"] is not None:
            due, stage = row["ack_due_at"], "ack"
        elif row["first_action_at"] is None and row["act_due_at"] is not None:
            due, stage = row["act_due_at"], "act"
        else:
            due, stage = row["close_due_at"], "close"
        if due is not None and due < now:
            overdue[(row["category"], stage)] += 1
    return dict(ages), dict(overdue)


def target(category: str, stage: str) -> int | None:
    spec = load_taxonomy().categories[category]
    return {"ack": spec.ack_hours, "act": spec.act_hours, "close": spec.close_hours}[stage]
