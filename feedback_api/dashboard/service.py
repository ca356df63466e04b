"""Aggregates for the accountability dashboard, computed in SQL and suppressed for publication.

Who sees the dashboard (taxonomy.yml `roles`):

- accountability_staff ("reviews trends and exports; S2-S3 counts only") and
  cfm_manager: every case, with S2/S3 cases as national monthly counts only;
- psea_focal_point, protection_focal_point, data_protection_officer ("only
  their own"): the cases they may see (`access.visible_filter`), which are all
  S2/S3, so they get the national monthly section only;
- operator and admin: no dashboard (403).

Protection of the people behind the numbers:

- only codes, dates and counts are selected: never description, referral,
  contact or any free text;
- breakdowns (category, topic, province, language, channel, satisfaction,
  backlog) cover S0/S1 cases only (the case's own sensitivity decides, so a
  case raised to S3 by hand leaves them); S2/S3 cases appear only as national
  counts per category and whole month, and not at all once a province,
  channel or language filter is set;
- every count table goes through `suppression.suppress_table` (k = 5, with
  complementary suppression); percentages, means and percentiles are only
  published when the count they rest on is published (at least 5 cases).

Counting rules: DUPLICATE cases are left out everywhere (the same feedback
twice); WITHDRAWN cases count as volume but not in response times. "Closed on
time" compares `closed_at` with `close_due_at`; a stage whose target is past
and not done counts as late, one not yet due is left out of the share.
Elapsed times (median, 90th percentile) are calendar hours from creation.
Days are Tehran days (the business timezone). The backlog and overdue tables
are the state now, under the filters but whatever the date range.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import KeyedColumnElement

from feedback_api.cases import access
from feedback_api.cases.models import Case
from feedback_api.dashboard import periods
from feedback_api.dashboard.schemas import (
    CHANNELS,
    LANGUAGES,
    CalendarKind,
    Count,
    DashboardFilters,
    Headline,
    Period,
    ResponseRow,
    SatisfactionRow,
    Sensitive,
    ShareRow,
    Stage,
    Summary,
    Table,
)
from feedback_api.dashboard.suppression import K, share, suppress_list, suppress_table
from feedback_api.errors import Forbidden
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role, load_provinces, load_taxonomy

HERE = Path(__file__).resolve().parent
FULL_ROLES = frozenset({Role.accountability_staff, Role.cfm_manager})
OWN_ROLES = frozenset(
    {Role.psea_focal_point, Role.protection_focal_point, Role.data_protection_officer}
)
DASHBOARD_ROLES = FULL_ROLES | OWN_ROLES
OPEN_SENSITIVITY = ("S0", "S1")
RESTRICTED_SENSITIVITY = ("S2", "S3")
CLOSED_STATUSES = ("CLOSED_LOOP", "CLOSED_REFERRED", "CLOSED_NO_CONTACT", "WITHDRAWN", "DUPLICATE")
AGE_BUCKETS = (0, 1, 3, 7, 14, 30)  # lower bounds in days
STAGES = ("ack", "act", "close")
DIMENSIONS = ("category", "topic", "province", "language", "channel")
UNKNOWN = "_unknown"
DEFAULT_MONTHS = 12


@lru_cache
def texts() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / "texts.yml").read_text(encoding="utf-8"))
    return data


def text(key: str, lang: str) -> str:
    entry = texts()[key]
    return str(entry.get(lang) or entry["en"])


def province_codes() -> dict[str, str]:
    """A P-code-like code per province: "IR" and its two-digit place in provinces.csv.

    Not the OCHA COD-AB P-code; replace this table when the COD-AB is adopted.
    """
    return {name: f"IR{index:02d}" for index, name in enumerate(load_provinces(), start=1)}


def label(dimension: str, code: str, lang: str) -> str:
    if code == UNKNOWN:
        return text("unknown", lang)
    if dimension == "category":
        category = load_taxonomy().categories.get(code)
        if category is None:
            return code
        return category.label_fa if lang == "fa" else category.label_en
    if dimension == "topic":
        if lang == "fa":
            return str(texts()["topics_fa"].get(code, code))
        return load_taxonomy().topics.get(code, code).split(" (")[0]
    if dimension == "province":
        province = load_provinces().get(code)
        if province is None:
            return code
        return province.name_fa if lang == "fa" else province.name_en
    if dimension == "channel":
        return str(texts()["channels"].get(code, {}).get(lang, code))
    if dimension == "language":
        return str(texts()["languages"].get(code, {}).get(lang, code))
    return code


# --- access -----------------------------------------------------------------------------------


def check_role(role: str) -> None:
    if Role(role) not in DASHBOARD_ROLES:
        raise Forbidden("the dashboard is for accountability staff", code="no_dashboard")


def role_scope(role: str) -> ColumnElement[bool]:
    check_role(role)
    if Role(role) in FULL_ROLES:
        return true()
    return access.visible_filter(role)


def scope_description(role: str) -> str:
    if Role(role) in FULL_ROLES:
        return "all cases; S2/S3 as national monthly counts"
    return "the S2/S3 cases this role handles, as national monthly counts"


# --- SQL helpers -------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def hours_between(session: Session, end: Any, start: Any) -> ColumnElement[Any]:
    if _dialect(session) == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _code(value: object) -> str:
    return UNKNOWN if value is None or value == "" else str(value)


# --- the window and the filters -----------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    first: dt.date
    last: dt.date

    def utc(self) -> tuple[dt.datetime, dt.datetime]:
        return periods.utc_bounds(self.first, self.last, get_settings().business_timezone)


def window_of(filters: DashboardFilters, now: dt.datetime) -> Window:
    today = periods.local_today(now, get_settings().business_timezone)
    last = filters.date_to or today
    first = filters.date_from or periods.months_back(last, DEFAULT_MONTHS - 1, filters.calendar)
    return Window(first, last)


def whole_months(window: Window, calendar: CalendarKind) -> Window:
    return Window(
        periods.month_bounds(window.first, calendar)[0],
        periods.month_bounds(window.last, calendar)[1],
    )


def _created_in(window: Window) -> list[ColumnElement[bool]]:
    start, end = window.utc()
    return [Case.created_at >= start, Case.created_at < end]


def _attribute_filters(filters: DashboardFilters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for name in ("province", "channel", "language", "category"):
        value = getattr(filters, name)
        if value is not None:
            clauses.append(getattr(Case, name) == value)
    return clauses


def open_conditions(role: str, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    """S0/S1 cases of this role's scope under the filters (no date condition)."""
    return [
        role_scope(role),
        Case.status != "DUPLICATE",
        Case.sensitivity.in_(OPEN_SENSITIVITY),
        *_attribute_filters(filters),
    ]


def restricted_conditions(role: str, filters: DashboardFilters) -> list[ColumnElement[bool]]:
    clauses = [role_scope(role), Case.status != "DUPLICATE"]
    clauses.append(Case.sensitivity.in_(RESTRICTED_SENSITIVITY))
    if filters.category is not None:
        clauses.append(Case.category == filters.category)
    return clauses


# --- tables ------------------------------------------------------------------------------------


def _rows_for(dimension: str, seen: Iterable[str], restricted: bool = False) -> list[str]:
    """Row keys in a stable order: every value of the dimension, then unexpected ones."""
    seen = set(seen)
    taxonomy = load_taxonomy()
    if dimension == "category":
        wanted = {"S2", "S3"} if restricted else {"S0", "S1"}
        base = [c.code for c in taxonomy.categories.values() if c.sensitivity.value in wanted]
        extra = [c for c in taxonomy.categories if c in seen and c not in base]
        return base + extra
    base = {
        "topic": list(taxonomy.topics),
        "province": list(load_provinces()),
        "channel": list(CHANNELS),
        "language": list(LANGUAGES),
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


def period_buckets(
    window: Window, period: Period, calendar: CalendarKind
) -> tuple[ColumnElement[int], list[str]]:
    """The period of `created_at` as an index, by comparing with the periods' first instants.

    The boundaries are computed here with the zone database (Tehran days), so
    both backends bucket identically and no date function runs per row.
    """
    timezone = get_settings().business_timezone
    keys: list[str] = []
    starts: list[dt.datetime] = []
    for day in periods.days(window.first, window.last):
        key = periods.period_key(day, period, calendar)
        if not keys or keys[-1] != key:
            keys.append(key)
            starts.append(periods.utc_bounds(day, day, timezone)[0])
    if len(keys) <= 1:
        return literal(0), keys
    whens = [(Case.created_at < starts[i + 1], i) for i in range(len(keys) - 1)]
    return case(*whens, else_=len(keys) - 1), keys


def period_series(
    session: Session,
    conditions: list[ColumnElement[bool]],
    dimension: str,
    buckets: tuple[ColumnElement[int], list[str]],
) -> Series:
    bucket, keys = buckets
    index = bucket.label("bucket")
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
        key = (_code(value), keys[int(position)])
        counts[key] = int(count)
        closed[key] = int(closed_count or 0)
    return Series(counts, closed)


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
    conditions = open_conditions(role, filters) + _created_in(window)
    buckets = period_buckets(window, filters.period, filters.calendar)
    keys = buckets[1]
    labels = [
        periods.period_label(key, filters.period, filters.calendar, filters.lang) for key in keys
    ]
    tables: dict[str, Table] = {}
    series: dict[str, Series] = {}
    for dimension in DIMENSIONS:
        data = period_series(session, conditions, dimension, buckets)
        rows = _rows_for(dimension, (value for value, _ in data.counts))
        tables[dimension] = make_table(
            f"volume_by_{dimension}", dimension, rows, keys, labels, data.counts, filters.lang
        )
        series[dimension] = data
    return Volumes(tables, series, keys)


def province_topic_table(
    session: Session, role: str, filters: DashboardFilters, window: Window
) -> tuple[Table, dict[str, list[str]]]:
    conditions = open_conditions(role, filters) + _created_in(window)
    query = (
        select(Case.province, Case.topic, func.count())
        .where(*conditions)
        .group_by(Case.province, Case.topic)
    )
    counts = {(_code(p), _code(t)): int(n) for p, t, n in session.execute(query)}
    rows = _rows_for("province", (p for p, _ in counts))
    topics = _rows_for("topic", (t for _, t in counts))
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


# --- response times ----------------------------------------------------------------------------


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
            code = _code(key)
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
        for code in (_code(category), "ALL"):
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
    case_counts: dict[str, Count],
    total: Count | None,
    rows: Sequence[str],
    lang: str,
    now: dt.datetime,
) -> list[ResponseRow]:
    """Per category and for all: on-time shares and elapsed times of the three stages."""
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
        stages: dict[str, Stage] = {}
        for index, stage in enumerate(STAGES):
            published_list, published_total = decided_published[stage]
            decided: Count | None = published_total if code == "ALL" else published_list[position]
            on_time = numbers[2 * index]
            n, median, p90 = elapsed[stage].get(code, (0, 0.0, 0.0))
            category = taxonomy.categories.get(code)
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
        category = taxonomy.categories.get(code)
        result.append(
            ResponseRow(
                code=code,
                label=text("all_categories", lang)
                if code == "ALL"
                else label("category", code, lang),
                clock=category.clock if category else None,
                cases=(total if code == "ALL" else case_counts.get(code, 0)) or 0,
                **stages,
            )
        )
    return result


# --- backlog, overdue, satisfaction -------------------------------------------------------------


def backlog_tables(
    session: Session, role: str, filters: DashboardFilters, now: dt.datetime
) -> tuple[Table, Table]:
    conditions = [*open_conditions(role, filters), Case.status.not_in(CLOSED_STATUSES)]
    age = case(
        *[
            (Case.created_at > now - dt.timedelta(days=low), AGE_BUCKETS[i - 1])
            for i, low in enumerate(AGE_BUCKETS)
            if i > 0
        ],
        else_=AGE_BUCKETS[-1],
    ).label("age")
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
        ages[(_code(category), f"age_{int(age_value)}")] += int(count)
        if stage_value is not None:
            overdue[(_code(category), str(stage_value))] += int(count)
    rows = _rows_for("category", (c for c, _ in ages))
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


def satisfaction(
    session: Session, conditions: list[ColumnElement[bool]], dimension: str, lang: str
) -> tuple[Table, list[SatisfactionRow]]:
    column: KeyedColumnElement[Any] = getattr(Case, dimension)
    query = (
        select(column, Case.satisfaction, func.count())
        .where(*conditions, Case.satisfaction.between(1, 5))
        .group_by(column, Case.satisfaction)
    )
    counts = {(_code(v), str(int(s))): int(n) for v, s, n in session.execute(query)}
    rows = _rows_for(dimension, (v for v, _ in counts))
    scores = ["1", "2", "3", "4", "5"]
    table = make_table(
        f"satisfaction_by_{dimension}",
        dimension,
        rows,
        scores,
        [periods.digits(s, lang) for s in scores],
        counts,
        lang,
    )
    summary: list[SatisfactionRow] = []
    for code, published in zip(
        [*rows, "ALL"], [*(table.row_totals or []), table.total], strict=True
    ):
        values = [
            counts.get((r, s), 0) for r in (rows if code == "ALL" else [code]) for s in scores
        ]
        rated = sum(values)
        weighted = sum(
            counts.get((r, s), 0) * int(s)
            for r in (rows if code == "ALL" else [code])
            for s in scores
        )
        satisfied = sum(
            counts.get((r, s), 0) for r in (rows if code == "ALL" else [code]) for s in ("4", "5")
        )
        mean = round(weighted / rated, 2) if isinstance(published, int) and rated >= K else None
        # The satisfied share would reveal how many were (not) satisfied: both must be >= k.
        pct = (
            round(100.0 * satisfied / rated, 1)
            if mean is not None and satisfied >= K and rated - satisfied >= K
            else None
        )
        summary.append(
            SatisfactionRow(
                code=code,
                label=text("all", lang) if code == "ALL" else label(dimension, code, lang),
                rated=published if published is not None else 0,
                mean=mean,
                satisfied_pct=pct,
            )
        )
    return table, summary


# --- sensitive cases ---------------------------------------------------------------------------


def sensitive_section(
    session: Session, role: str, filters: DashboardFilters, window: Window, now: dt.datetime
) -> Sensitive | None:
    if filters.breaks_down_geography_or_people:
        return None
    months = whole_months(window, filters.calendar)
    conditions = restricted_conditions(role, filters) + _created_in(months)
    buckets = period_buckets(months, Period.month, filters.calendar)
    data = period_series(session, conditions, "category", buckets)
    keys = buckets[1]
    labels = [periods.period_label(k, Period.month, filters.calendar, filters.lang) for k in keys]
    rows = _rows_for("category", (c for c, _ in data.counts), restricted=True)
    table = make_table(
        "restricted_by_month", "category", rows, keys, labels, data.counts, filters.lang
    )
    case_counts = dict(zip(rows, table.row_totals or [], strict=True))
    response = response_rows(session, conditions, case_counts, table.total, rows, filters.lang, now)
    return Sensitive(
        window_from=months.first, window_to=months.last, counts=table, response=response
    )


# --- the whole summary -------------------------------------------------------------------------


def build_summary(
    session: Session, role: str, filters: DashboardFilters, now: dt.datetime
) -> Summary:
    check_role(role)
    window = window_of(filters, now)
    lang = filters.lang
    cube_ = volume_tables(session, role, filters, window)
    volumes = cube_.tables
    by_category = volumes["category"]
    category_counts = dict(zip(by_category.rows, by_category.row_totals or [], strict=True))
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
    conditions = open_conditions(role, filters) + _created_in(window)
    response = response_rows(
        session, conditions, category_counts, by_category.total, by_category.rows, lang, now
    )
    backlog, overdue = backlog_tables(session, role, filters, now)
    by_channel, sat_channel = satisfaction(session, conditions, "channel", lang)
    by_cat, sat_category = satisfaction(session, conditions, "category", lang)
    headline = Headline(
        total_cases=by_category.total if by_category.total is not None else 0,
        open_cases=backlog.total if backlog.total is not None else 0,
        overdue_cases=overdue.total if overdue.total is not None else 0,
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
