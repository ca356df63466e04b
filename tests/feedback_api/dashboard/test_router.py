"""The JSON API through HTTP: who may see it, the filters, the summary it answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.dashboard import service
from feedback_api.dashboard.schemas import CalendarKind, DashboardFilters, Period, Summary
from feedback_api.deps import SESSION_COOKIE
from tests.factories import auth, login_as, make_user, token_for
from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import SECRET
from tests.feedback_api.dashboard.factories import ANCHOR, case_row, insert_cases


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_roles_without_a_dashboard_are_refused(
    api: TestClient, session: Session, role: str
) -> None:
    user = make_user(session, role)
    for path in ("summary", "export.csv", "export.xlsx"):
        answer = api.get(f"/api/v1/dashboard/{path}", headers=auth(user))
        assert answer.status_code == 403, path
    page = api.get("/console/dashboard", cookies={SESSION_COOKIE: token_for(user)})
    assert page.status_code == 403


def test_logged_out(api: TestClient) -> None:
    assert api.get("/api/v1/dashboard/summary").status_code == 401
    page = api.get("/console/dashboard", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")


@pytest.mark.parametrize("role", ["accountability_staff", "cfm_manager"])
def test_the_json_api_is_the_service_summary(
    api: TestClient, session: Session, seeded_with_secret: list[dict[str, Any]], role: str
) -> None:
    user = make_user(session, role)
    answer = api.get("/api/v1/dashboard/summary?period=week&province=Tehran", headers=auth(user))
    assert answer.status_code == 200
    expected = service.build_summary(
        session, role, DashboardFilters(period="week", province="Tehran"), ANCHOR
    )
    assert answer.json() == expected.model_dump(mode="json")
    assert answer.json()["sensitive"] is None
    assert SECRET not in answer.text and "09121234567" not in answer.text


def test_focal_points_see_only_their_own_cases(
    api: TestClient, session: Session, seeded_with_secret: list[dict[str, Any]]
) -> None:
    user = make_user(session, "psea_focal_point")
    data = Summary.model_validate(api.get("/api/v1/dashboard/summary", headers=auth(user)).json())
    assert data.volumes["category"].total == "<5"  # no S0/S1 case in a PSEA scope
    assert data.sensitive is not None
    raw = ref.by_period(
        [
            r
            for r in ref.selected(
                seeded_with_secret,
                data.sensitive.window_from,
                data.sensitive.window_to,
                restricted=True,
            )
            if r["category"] not in ("FRD", "MIS", "DPB", "SAF")
        ],
        "category",
        Period.month,
        CalendarKind.jalali,
    )
    ref.check_table(data.sensitive.counts, raw)
    assert {r for r, _ in raw} >= {"SEA"}


def test_invalid_filters_are_422(api: TestClient, session: Session) -> None:
    user = make_user(session, "accountability_staff")
    for query in (
        "province=Atlantis",
        "category=XXX",
        "date_from=2025-02-01&date_to=2025-01-01",
        "channel=fax",
    ):
        assert api.get(f"/api/v1/dashboard/summary?{query}", headers=auth(user)).status_code == 422


def test_the_api_is_documented_in_openapi(api: TestClient, session: Session) -> None:
    login_as(api, make_user(session, "accountability_staff"))
    paths = api.get("/openapi.json").json()["paths"]
    assert "/api/v1/dashboard/summary" in paths
    assert "/api/v1/dashboard/export.csv" in paths and "/api/v1/dashboard/export.xlsx" in paths


def test_a_small_cell_cannot_be_recomputed_from_the_totals(
    api: TestClient, session: Session
) -> None:
    """Hand-made: 3 web cases in June; the June total and the web total are published."""
    june = dt.datetime(2024, 6, 10, 8, 0, tzinfo=dt.UTC)
    july = dt.datetime(2024, 7, 10, 8, 0, tzinfo=dt.UTC)
    rows = []
    plan = [
        ("telegram", june, 12),
        ("telegram", july, 9),
        ("web", june, 3),
        ("web", july, 6),
        ("sms", june, 7),
        ("sms", july, 8),
        ("phone", june, 20),
        ("phone", july, 20),
    ]
    n = 0
    for channel, when, count in plan:
        for _ in range(count):
            n += 1
            rows.append(case_row(n, created=when + dt.timedelta(minutes=n), channel=channel))
    # An S3 case: never in a breakdown, only in the national monthly counts.
    rows.append(case_row(999, created=june, channel="web", category="SEA"))
    insert_cases(session, rows)
    session.commit()
    user = make_user(session, "accountability_staff")
    answer = api.get(
        "/api/v1/dashboard/summary?date_from=2024-06-01&date_to=2024-07-31&calendar=gregorian",
        headers=auth(user),
    )
    data = Summary.model_validate(answer.json())
    table = data.volumes["channel"]
    cells = {row: table.cells[i] for i, row in enumerate(table.rows)}
    totals = dict(zip(table.rows, table.row_totals or [], strict=True))
    assert table.columns == ["2024-06", "2024-07"]
    assert cells["web"] == ["<5", "x"]  # else 3 = 9 - 6
    assert totals["web"] == 9
    assert cells["sms"] == ["x", "x"]  # else web's June = 42 - 12 - 7 - 20
    assert cells["telegram"] == [12, 9] and cells["phone"] == [20, 20]
    assert table.column_totals == [42, 43] and table.total == 85
    # The exact figures elsewhere.
    assert data.headline.total_cases == 85
    assert data.volumes["province"].row_totals[data.volumes["province"].rows.index("Tehran")] == 85  # type: ignore[index]
    assert data.sensitive is not None
    assert data.sensitive.counts.cells[data.sensitive.counts.rows.index("SEA")] == ["<5", "<5"]
