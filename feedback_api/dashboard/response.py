"""Response times: per category and for all, the on-time share and elapsed hours of each stage.

The three stages are acknowledgement, first action and closing, each with its
taxonomy target. "On time" compares the stage's done time with its due time;
a stage whose target is past and not done counts as late, one not yet due is
left out of the share. WITHDRAWN cases are left out. Elapsed times (median,
90th percentile) are calendar hours from creation, published only when at
least k cases rest on them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.dashboard.labels import label, text
from feedback_api.dashboard.schemas import Count, ResponseRow, Stage, Table
from feedback_api.dashboard.suppression import K, share, suppress_list
from feedback_api.dashboard.tables import code_of
from feedback_api.taxonomy import load_taxonomy

STAGES = ("ack", "act", "close")


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def hours_between(session: Session, end: Any, start: Any) -> ColumnElement[Any]:
    if _dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _stage_columns() -> dict[str, tuple[Any, Any]]:
    return {
        "ack": (Case.acknowledged_at, Case.ack_due_at),
        "act": (Case.first_action_at, Case.act_due_at),
        "close": (Case.closed_at, Case.close_due_at),
    }


Elapsed = dict[str, dict[str, tuple[int, float, float]]]  # stage -> group -> (n, p50, p90)


def _flag_columns(now: dt.datetime) -> list[Any]:
    columns: list[Any] = []
    for done, due in _stage_columns().values():
        on_time = and_(due.is_not(None), done.is_not(None), done <= due)
        late = and_(
            due.is_not(None),
            or_(and_(done.is_not(None), done > due), and_(done.is_(None), due < now)),
        )
        columns += [case((on_time, 1), else_=0), case((late, 1), else_=0)]
    return columns


def _response_figures_pg(
    session: Session, conditions: list[ColumnElement[bool]], now: dt.datetime
) -> tuple[dict[str, list[int]], Elapsed]:
    """PostgreSQL: sums and percentile_cont per category, and for all, in two queries."""
    columns: list[Any] = [func.sum(flag) for flag in _flag_columns(now)]
    for done, _due in _stage_columns().values():
        duration = hours_between(session, done, Case.created_at)
        columns += [
            func.count(duration),
            func.percentile_cont(0.5).within_group(duration),
            func.percentile_cont(0.9).within_group(duration),
        ]
    raw: dict[str, list[int]] = {}
    elapsed: Elapsed = {stage: {} for stage in STAGES}
    grouped = select(Case.category, *columns).where(*conditions).group_by(Case.category)
    overall = select(literal("ALL"), *columns).where(*conditions)
    for query in (grouped, overall):
        for key, *numbers in session.execute(query):
            code = code_of(key)
            raw[code] = [int(x or 0) for x in numbers[:6]]
            for index, stage in enumerate(STAGES):
                n, p50, p90 = numbers[6 + 3 * index : 9 + 3 * index]
                if n:
                    elapsed[stage][code] = (int(n), float(p50), float(p90))
    return raw, elapsed


def _response_figures_fetched(
    session: Session, conditions: list[ColumnElement[bool]], now: dt.datetime
) -> tuple[dict[str, list[int]], Elapsed]:
    """SQLite (no percentile_cont): one scan of flags and durations, no ORM objects."""
    durations = [
        hours_between(session, done, Case.created_at) for done, _ in _stage_columns().values()
    ]
    query = select(Case.category, *_flag_columns(now), *durations).where(*conditions)
    raw: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    values: dict[str, dict[str, list[float]]] = {stage: defaultdict(list) for stage in STAGES}
    for category, *numbers in session.execute(query):
        for code in (code_of(category), "ALL"):
            sums = raw[code]
            for i in range(6):
                sums[i] += numbers[i]
            for index, stage in enumerate(STAGES):
                value = numbers[6 + index]
                if value is not None:
                    values[stage][code].append(float(value))
    elapsed: Elapsed = {stage: {} for stage in STAGES}
    for stage in STAGES:
        for code, found in values[stage].items():
            found.sort()
            elapsed[stage][code] = (
                len(found), _percentile(found, 0.5), _percentile(found, 0.9)
            )  # fmt: skip
    return dict(raw), elapsed


def _percentile(ordered: list[float], p: float) -> float:
    """percentile_cont: linear interpolation between the closest ranks."""
    position = p * (len(ordered) - 1)
    low = int(position)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (position - low) * (ordered[low + 1] - ordered[low])


def response_rows(
    session: Session,
    conditions: list[ColumnElement[bool]],
    case_table: Table,
    lang: str,
    now: dt.datetime,
) -> list[ResponseRow]:
    """Per category and for all: on-time shares and elapsed times of the three stages.

    The rows and their case counts are those of `case_table` (cases by category).
    """
    rows = case_table.rows
    case_counts = dict(zip(rows, case_table.row_totals or [], strict=True))
    conditions = [*conditions, Case.status != "WITHDRAWN"]
    if _dialect(session) == "postgresql":
        raw, elapsed = _response_figures_pg(session, conditions, now)
    else:
        raw, elapsed = _response_figures_fetched(session, conditions, now)
    all_numbers = raw.get("ALL", [0] * 6)

    # "Decided" counts (met or missed) are published like any count: suppressed per stage.
    decided_published: dict[str, tuple[list[Count], Count]] = {}
    for index, stage in enumerate(STAGES):
        counts = [
            raw.get(code, [0] * 6)[2 * index] + raw.get(code, [0] * 6)[2 * index + 1]
            for code in rows
        ]
        decided_published[stage] = suppress_list(counts)

    taxonomy = load_taxonomy()
    result: list[ResponseRow] = []
    for position, code in enumerate([*rows, "ALL"]):
        numbers = all_numbers if code == "ALL" else raw.get(code, [0] * 6)
        category = taxonomy.categories.get(code)
        stages: dict[str, Stage] = {}
        for index, stage in enumerate(STAGES):
            published_list, published_total = decided_published[stage]
            decided: Count | None = published_total if code == "ALL" else published_list[position]
            on_time = numbers[2 * index]
            n, median, p90 = elapsed[stage].get(code, (0, 0.0, 0.0))
            target = None
            if category is not None:
                target = {"ack": category.ack_hours, "act": category.act_hours}.get(
                    stage, category.close_hours
                )
            if category is not None and target is None:
                decided = None  # no target for this stage in this category
            stages[stage] = Stage(
                target_hours=target,
                decided=decided,
                on_time_pct=share(on_time, decided),
                median_hours=round(median, 1) if n >= K else None,
                p90_hours=round(p90, 1) if n >= K else None,
            )
        result.append(
            ResponseRow(
                code=code,
                label=text("all_categories", lang)
                if code == "ALL"
                else label("category", code, lang),
                clock=category.clock if category else None,
                cases=(case_table.total if code == "ALL" else case_counts.get(code, 0)) or 0,
                **stages,
            )
        )
    return result
