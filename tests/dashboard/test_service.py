"""Every figure of the dashboard against a naive re-computation, on a seeded year of cases."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.orm import Session

from feedback_api.dashboard import service
from feedback_api.dashboard.schemas import CalendarKind, DashboardFilters, Period, Summary
from tests.dashboard import reference as ref
from tests.dashboard.factories import ANCHOR, seed

N = 3000


@pytest.fixture
def seeded(session: Session) -> list[dict[str, Any]]:
    return seed(session, N)


def summary(session: Session, **filters: Any) -> Summary:
    return service.build_summary(
        session, "accountability_staff", DashboardFilters(**filters), ANCHOR
    )


def test_the_seed_has_the_known_distribution(seeded: list[dict[str, Any]]) -> None:
    assert len(seeded) == N
    categories = Counter(row["category"] for row in seeded)
    assert categories.most_common(1)[0][0] == "INF"
    assert {"SEA", "FRD", "SAF"} <= set(categories)
    assert min(row["created_at"] for row in seeded) > ANCHOR - dt.timedelta(days=366)
    assert (
        sum(
            1
            for row in seeded
            if row["sensitivity"] == "S3" and row["category"] not in ("SEA", "CSG", "SAF")
        )
        > 0
    )


@pytest.mark.parametrize(
    ("period", "calendar"),
    [
        (Period.month, CalendarKind.jalali),
        (Period.month, CalendarKind.gregorian),
        (Period.week, CalendarKind.jalali),
    ],
)
def test_volumes_match_the_data(
    session: Session, seeded: list[dict[str, Any]], period: Period, calendar: CalendarKind
) -> None:
    data = summary(session, period=period, calendar=calendar)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    for dimension in service.DIMENSIONS:
        ref.check_table(data.volumes[dimension], ref.by_period(rows, dimension, period, calendar))
    # S2/S3 cases never reach a breakdown, even when their category is an S1 one.
    assert not {"SEA", "CSG", "FRD", "MIS", "SAF", "DPB"} & {
        r
        for r, v in zip(
            data.volumes["category"].rows, data.volumes["category"].row_totals or [], strict=True
        )
        if v not in (0, "<5")
    }
    assert data.volumes["category"].total == len(rows)


def test_the_default_window_is_twelve_solar_hijri_months(
    session: Session, seeded: list[dict[str, Any]]
) -> None:
    data = summary(session)
    # ANCHOR is 1403/12/21; the window starts on 1403/01/01.
    assert data.window_from == dt.date(2024, 3, 20)
    assert data.window_to == dt.date(2025, 3, 11)
    assert data.volumes["category"].columns == [f"1403-{m:02d}" for m in range(1, 13)]
    assert data.volumes["category"].column_labels[0] == "فروردین ۱۴۰۳"


def test_shares_and_top_topics(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    counts = Counter(row["category"] for row in rows)
    for item in data.category_share:
        ref.check_cell(item.count, counts[item.code])
        if isinstance(item.count, int):
            assert item.pct == round(100 * counts[item.code] / len(rows), 1)
        else:
            assert item.pct is None
    raw = ref.cross(rows, "province", "topic")
    ref.check_table(data.province_topics, raw)
    tehran = sorted(((n, t) for (p, t), n in raw.items() if p == "Tehran"), key=lambda x: -x[0])
    assert data.top_topics["Tehran"] == [t for _, t in tehran[:3]]
    assert "Ilam" not in data.top_topics or len(data.top_topics["Ilam"]) <= 3


def test_response_times(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session)
    rows = ref.selected(seeded, data.window_from, data.window_to)
    expected = ref.response(rows, ANCHOR)
    assert [r.code for r in data.response][-1] == "ALL"
    for item in data.response:
        for stage in ref.STAGES:
            shown = getattr(item, stage)
            figures = expected[item.code][stage]
            decided = figures["on"] + figures["late"]
            if item.code != "ALL" and ref.target(item.code, stage) is None:
                assert shown.decided is None and shown.target_hours is None
                continue
            if item.code != "ALL":
                assert shown.target_hours == ref.target(item.code, stage)
            ref.check_cell(shown.decided, decided)
            if isinstance(shown.decided, int):
                assert shown.on_time_pct == round(100 * figures["on"] / decided, 1)
            else:
                assert shown.on_time_pct is None
            durations = figures["d"]
            if len(durations) >= 5:
                assert shown.median_hours == pytest.approx(
                    ref.percentile(durations, 0.5), abs=0.051
                )
                assert shown.p90_hours == pytest.approx(ref.percentile(durations, 0.9), abs=0.051)
            else:
                assert shown.median_hours is None and shown.p90_hours is None
    all_row = data.response[-1]
    assert all_row.cases == len(rows)


def test_backlog_and_overdue(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session, date_from="2025-01-01")  # the backlog ignores the date range
    ages, overdue = ref.backlog(seeded, ANCHOR)
    ref.check_table(data.backlog, ages)
    ref.check_table(data.overdue, overdue)
    assert data.headline.open_cases == sum(ages.values())
    assert data.headline.overdue_cases == sum(overdue.values())


def test_satisfaction(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session)
    rows = [r for r in ref.selected(seeded, data.window_from, data.window_to) if r["satisfaction"]]
    for dimension, table, lines in (
        ("channel", data.satisfaction_by_channel, data.satisfaction_channel),
        ("category", data.satisfaction_by_category, data.satisfaction_category),
    ):
        raw = Counter((row[dimension], str(row["satisfaction"])) for row in rows)
        ref.check_table(table, dict(raw))
        for line in lines:
            scores = [r["satisfaction"] for r in rows if line.code in ("ALL", r[dimension])]
            ref.check_cell(line.rated, len(scores))
            if len(scores) >= 5 and isinstance(line.rated, int):
                assert line.mean == round(sum(scores) / len(scores), 2)
                happy = sum(1 for s in scores if s >= 4)
                if happy >= 5 and len(scores) - happy >= 5:
                    assert line.satisfied_pct == round(100 * happy / len(scores), 1)
                else:
                    assert line.satisfied_pct is None
            else:
                assert line.mean is None
    assert data.headline.mean_satisfaction == data.satisfaction_channel[-1].mean


def test_sensitive_cases_are_national_and_monthly(
    session: Session, seeded: list[dict[str, Any]]
) -> None:
    data = summary(session, date_from="2024-06-10", date_to="2024-08-15", calendar="gregorian")
    assert data.sensitive is not None
    # Widened to whole months, national.
    assert (data.sensitive.window_from, data.sensitive.window_to) == (
        dt.date(2024, 6, 1), dt.date(2024, 8, 31)
    )  # fmt: skip
    rows = ref.selected(seeded, dt.date(2024, 6, 1), dt.date(2024, 8, 31), restricted=True)
    ref.check_table(
        data.sensitive.counts, ref.by_period(rows, "category", Period.month, CalendarKind.gregorian)
    )
    assert data.sensitive.counts.columns == ["2024-06", "2024-07", "2024-08"]
    expected = ref.response(rows, ANCHOR)
    for item in data.sensitive.response:
        figures = expected[item.code]["act"]
        decided = figures["on"] + figures["late"]
        ref.check_cell(item.act.decided, decided)
        if isinstance(item.act.decided, int):
            assert item.act.on_time_pct == round(100 * figures["on"] / decided, 1)


@pytest.mark.parametrize("name", ["province", "channel", "language"])
def test_a_geographic_or_people_filter_hides_sensitive_cases(
    session: Session, seeded: list[dict[str, Any]], name: str
) -> None:
    value = {"province": "Tehran", "channel": "sms", "language": "prs"}[name]
    data = summary(session, **{name: value})
    assert data.sensitive is None
    rows = ref.selected(seeded, data.window_from, data.window_to, **{name: value})
    ref.check_table(
        data.volumes["topic"], ref.by_period(rows, "topic", Period.month, CalendarKind.jalali)
    )


def test_category_filter(session: Session, seeded: list[dict[str, Any]]) -> None:
    data = summary(session, category="CMN", period="week")
    rows = ref.selected(seeded, data.window_from, data.window_to, category="CMN")
    ref.check_table(
        data.volumes["province"], ref.by_period(rows, "province", Period.week, CalendarKind.jalali)
    )
    assert data.sensitive is not None
    # Only CMN cases raised to S3 by hand remain in the sensitive section.
    assert all(
        v in (0, "<5")
        for r, v in zip(
            data.sensitive.counts.rows, data.sensitive.counts.row_totals or [], strict=True
        )
        if r != "CMN"
    )
