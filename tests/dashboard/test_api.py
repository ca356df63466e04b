"""The JSON API, the exports (CSV, Excel, HXL) and the page, through HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import hxl
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from feedback_api.dashboard import service
from feedback_api.dashboard.charts import _num
from feedback_api.dashboard.router import dashboard_now
from feedback_api.dashboard.schemas import CalendarKind, DashboardFilters, Period, Summary
from feedback_api.deps import SESSION_COOKIE
from feedback_api.users.service import issue_token
from tests.dashboard import reference as ref
from tests.dashboard.factories import ANCHOR, case_row, insert_cases, seed
from tests.factories import auth, make_case, make_user

SECRET = "my neighbour Zarghamnia took the money, call 09121234567"


@pytest.fixture
def api(client: TestClient) -> Iterator[TestClient]:
    client.app.dependency_overrides[dashboard_now] = lambda: ANCHOR  # type: ignore[attr-defined]
    yield client


@pytest.fixture
def seeded(session: Session) -> list[dict[str, Any]]:
    rows = seed(session, 1500, seed=11)
    # One case with free text and a contact: none of it may reach the dashboard.
    make_case(session, category="CMN", description=SECRET, province="Qom")
    return rows


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_roles_without_a_dashboard_are_refused(
    api: TestClient, session: Session, role: str
) -> None:
    user = make_user(session, role)
    for path in ("summary", "export.csv", "export.xlsx"):
        answer = api.get(f"/api/v1/dashboard/{path}", headers=auth(user))
        assert answer.status_code == 403, path
    page = api.get("/console/dashboard", cookies={SESSION_COOKIE: issue_token(user)})
    assert page.status_code == 403


def test_logged_out(api: TestClient) -> None:
    assert api.get("/api/v1/dashboard/summary").status_code == 401
    page = api.get("/console/dashboard", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")


@pytest.mark.parametrize("role", ["accountability_staff", "cfm_manager"])
def test_the_json_api_is_the_service_summary(
    api: TestClient, session: Session, seeded: list[dict[str, Any]], role: str
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
    api: TestClient, session: Session, seeded: list[dict[str, Any]]
) -> None:
    user = make_user(session, "psea_focal_point")
    data = Summary.model_validate(api.get("/api/v1/dashboard/summary", headers=auth(user)).json())
    assert data.volumes["category"].total == "<5"  # no S0/S1 case in a PSEA scope
    assert data.sensitive is not None
    raw = ref.by_period(
        [
            r
            for r in ref.selected(
                seeded, data.sensitive.window_from, data.sensitive.window_to, restricted=True
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


def test_the_api_is_documented_in_openapi(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "/api/v1/dashboard/summary" in paths
    assert "/api/v1/dashboard/export.csv" in paths and "/api/v1/dashboard/export.xlsx" in paths


TAGS = [
    "#date+reported",
    "#meta+breakdown",
    "#adm1+name",
    "#adm1+code",
    "#x_feedback+type+code",
    "#sector+code",
    "#x_channel",
    "#meta+lang",
    "#meta+count",
    "#x_feedback+closed+pct",
]


COLUMN_OF = {
    "category": "#x_feedback+type+code",
    "topic": "#sector+code",
    "province": "#adm1+name",
    "channel": "#x_channel",
    "language": "#meta+lang",
    "restricted": "#x_feedback+type+code",
    "total": "#date+reported",
}


def _check_export(
    rows: list[dict[str, str]], summary: Summary, seeded: list[dict[str, Any]]
) -> None:
    """The long rows are the dashboard's monthly Gregorian tables, figure by figure."""
    by: dict[str, dict[tuple[str, str], str]] = {}
    for row in rows:
        breakdown = row["#meta+breakdown"]
        column = {
            "category": "#x_feedback+type+code",
            "topic": "#sector+code",
            "province": "#adm1+name",
            "channel": "#x_channel",
            "language": "#meta+lang",
            "restricted": "#x_feedback+type+code",
            "total": "#date+reported",
        }[breakdown]
        key = row[column] if breakdown != "total" else "_all"
        by.setdefault(breakdown, {})[(key, row["#date+reported"])] = row["#meta+count"]
    for dimension, table in summary.volumes.items():
        for i, value in enumerate(table.rows):
            shown = "unknown" if value == service.UNKNOWN else value
            for j, month in enumerate(table.columns):
                assert by[dimension][(shown, month)] == str(table.cells[i][j])
    for j, month in enumerate(summary.volumes["category"].columns):
        assert by["total"][("_all", month)] == str(
            (summary.volumes["category"].column_totals or [])[j]
        )
    assert summary.sensitive is not None
    for i, category in enumerate(summary.sensitive.counts.rows):
        for j, month in enumerate(summary.sensitive.counts.columns):
            assert by["restricted"][(category, month)] == str(summary.sensitive.counts.cells[i][j])
    # Closed share of a published province cell.
    tehran = [r for r in rows if r["#meta+breakdown"] == "province" and r["#adm1+name"] == "Tehran"]
    month_rows = ref.selected(seeded, dt.date(2024, 6, 1), dt.date(2024, 6, 30), province="Tehran")
    june = next(r for r in tehran if r["#date+reported"] == "2024-06")
    assert june["#meta+count"] == str(len(month_rows))
    closed = sum(1 for r in month_rows if r["closed_at"] is not None)
    assert float(june["#x_feedback+closed+pct"]) == round(100 * closed / len(month_rows), 1)
    assert june["#adm1+code"] == "IR28"
    for row in rows:
        if row["#meta+count"] in ("<5", "x"):
            assert row["#x_feedback+closed+pct"] == ""


def _expected_summary(session: Session) -> Summary:
    filters = DashboardFilters(period="month", calendar="gregorian", lang="en")
    return service.build_summary(session, "accountability_staff", filters, ANCHOR)


def test_csv_export_with_hxl_tags(
    api: TestClient, session: Session, seeded: list[dict[str, Any]], tmp_path: Any
) -> None:
    user = make_user(session, "accountability_staff")
    answer = api.get("/api/v1/dashboard/export.csv", headers=auth(user))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert SECRET not in answer.text and "Zarghamnia" not in answer.text
    lines = list(csv.reader(io.StringIO(answer.text)))
    assert lines[1] == TAGS
    path = tmp_path / "export.csv"
    path.write_text(answer.text, encoding="utf-8")
    data = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    assert [column.display_tag for column in data.columns] == TAGS
    for column in data.columns:
        assert hxl.model.Column.parse(column.display_tag).tag == column.tag
    rows = [
        {column.display_tag: value for column, value in zip(data.columns, row.values, strict=True)}
        for row in data
    ]
    assert len(rows) == len(lines) - 2
    _check_export(rows, _expected_summary(session), seeded)
    # The export always uses Gregorian months, whatever the page shows.
    assert all(len(r["#date+reported"]) == 7 and r["#date+reported"][:2] == "20" for r in rows)


def test_excel_export_with_hxl_tags(
    api: TestClient, session: Session, seeded: list[dict[str, Any]], tmp_path: Any
) -> None:
    user = make_user(session, "cfm_manager")
    answer = api.get("/api/v1/dashboard/export.xlsx", headers=auth(user))
    assert answer.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(answer.content)
    book = load_workbook(path)
    sheet = book["data"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[1]) == TAGS
    assert all(SECRET not in str(cell) for row in values for cell in row)
    data = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    assert [column.display_tag for column in data.columns] == TAGS
    rows = [
        {
            c.display_tag: ("" if v is None else str(v))
            for c, v in zip(data.columns, row.values, strict=True)
        }
        for row in data
    ]
    _check_export(rows, _expected_summary(session), seeded)


class _Cells(HTMLParser):
    """(table, row, column) -> text of every cell that carries data-row and data-col."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, str], str] = {}
        self.kpis: dict[str, str] = {}
        self._table = ""
        self._key: tuple[str, str, str] | None = None
        self._kpi: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self._table = a["data-table"] or ""
        if tag == "td" and a.get("data-row") is not None:
            self._key = (self._table, a["data-row"] or "", a.get("data-col") or "")
            self._text = []
        if tag == "div" and a.get("data-kpi"):
            self._kpi = a["data-kpi"]
        if tag == "strong" and self._kpi:
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._key:
            self.cells[self._key] = "".join(self._text).strip()
            self._key = None
        if tag == "strong" and self._kpi:
            self.kpis[self._kpi] = "".join(self._text).strip()
            self._kpi = None


def test_the_page_shows_every_figure_of_the_summary(
    api: TestClient, session: Session, seeded: list[dict[str, Any]]
) -> None:
    user = make_user(session, "accountability_staff")
    page = api.get(
        "/console/dashboard?calendar=gregorian&period=month",
        cookies={SESSION_COOKIE: issue_token(user)},
    )
    assert page.status_code == 200
    html = page.text
    assert 'dir="rtl"' in html and "داشبورد پاسخگویی" in html
    assert html.count("<svg") >= 10
    # Everything the page loads comes from this service: no CDN, no external chart library.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "http://testserver/", "#")), url
    assert SECRET not in html and "Zarghamnia" not in html
    data = service.build_summary(
        session,
        "accountability_staff",
        DashboardFilters(calendar="gregorian", period="month"),
        ANCHOR,
    )
    parser = _Cells()
    parser.feed(html)
    cells = parser.cells
    num = lambda value: _num(value, "fa")  # noqa: E731

    tables = [
        *data.volumes.values(),
        data.province_topics,
        data.backlog,
        data.overdue,
        data.satisfaction_by_channel,
        data.satisfaction_by_category,
    ]
    assert data.sensitive is not None
    tables.append(data.sensitive.counts)
    checked = 0
    for table in tables:
        for i, row in enumerate(table.rows):
            for j, col in enumerate(table.columns):
                assert cells[(table.name, row, col)] == num(table.cells[i][j]), (
                    table.name,
                    row,
                    col,
                )
                checked += 1
            assert cells[(table.name, row, "_total")] == num((table.row_totals or [])[i])
        for j, col in enumerate(table.columns):
            assert cells[(table.name, "_total", col)] == num((table.column_totals or [])[j])
        assert cells[(table.name, "_total", "_total")] == num(table.total)
    assert checked > 500
    for item in data.category_share:
        assert cells[("category_share", item.code, "count")] == num(item.count)
        assert cells[("category_share", item.code, "pct")] == num(item.pct)
    for line in data.response:
        assert cells[("response", line.code, "cases")] == num(line.cases)
        for stage in ("ack", "act", "close"):
            s = getattr(line, stage)
            assert cells[("response", line.code, f"{stage}_decided")] == num(s.decided)
            assert cells[("response", line.code, f"{stage}_pct")] == num(s.on_time_pct)
            assert cells[("response", line.code, f"{stage}_median")] == num(s.median_hours)
            assert cells[("response", line.code, f"{stage}_p90")] == num(s.p90_hours)
    for line in data.satisfaction_channel + data.satisfaction_category:
        assert cells[("satisfaction_summary", line.code, "mean")] == num(line.mean)
    for line in data.sensitive.response:
        assert cells[("sensitive_response", line.code, "act_pct")] == num(line.act.on_time_pct)
    assert parser.kpis["total_cases"] == num(data.headline.total_cases)
    assert parser.kpis["overdue_cases"] == num(data.headline.overdue_cases)


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
