"""The public aggregate exports (CSV, Excel) with their HXL hashtag row, through HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import hxl
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from feedback_api.dashboard import service
from feedback_api.dashboard.labels import UNKNOWN
from feedback_api.dashboard.schemas import DashboardFilters, Summary
from tests.factories import auth, make_user
from tests.feedback_api.dashboard import reference as ref
from tests.feedback_api.dashboard.conftest import SECRET
from tests.feedback_api.dashboard.factories import ANCHOR

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
COLUMN_OF = {  # the column that names the value of each breakdown
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
        column = COLUMN_OF[breakdown]
        key = row[column] if breakdown != "total" else "_all"
        by.setdefault(breakdown, {})[(key, row["#date+reported"])] = row["#meta+count"]
    for dimension, table in summary.volumes.items():
        for i, value in enumerate(table.rows):
            shown = "unknown" if value == UNKNOWN else value
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
    api: TestClient, session: Session, seeded_with_secret: list[dict[str, Any]], tmp_path: Any
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
    _check_export(rows, _expected_summary(session), seeded_with_secret)
    # The export always uses Gregorian months, whatever the page shows.
    assert all(len(r["#date+reported"]) == 7 and r["#date+reported"][:2] == "20" for r in rows)


def test_excel_export_with_hxl_tags(
    api: TestClient, session: Session, seeded_with_secret: list[dict[str, Any]], tmp_path: Any
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
    _check_export(rows, _expected_summary(session), seeded_with_secret)
