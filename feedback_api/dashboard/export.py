"""The public aggregate export (docs/domain.md §3.2): CSV and Excel with an HXL hashtag row.

The rows are the dashboard's own monthly tables, in long form, always by
Gregorian month (`#date+reported` is YYYY-MM) and suppressed exactly as the
dashboard shows them:

| `#meta+breakdown` | one row per | filled columns |
| total | month | - |
| category, topic, province, language, channel | month and value | that column |
| restricted | S2/S3 category and month, national | `#x_feedback+type+code` |

A blank dimension column means "all". Counts below 5 read "<5"; "x" marks a
count withheld so that a small one cannot be worked out from the totals;
`#x_feedback+closed+pct` (share of the row's cases closed) is blank when the
count is withheld. `#adm1+code` is "IR" and the province's two-digit place in
provinces.csv (alphabetical), not an OCHA P-code. No free text, no personal
data: only codes, months and counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from feedback_api.dashboard.labels import UNKNOWN, province_codes
from feedback_api.dashboard.schemas import CalendarKind, DashboardFilters, Period, Table
from feedback_api.dashboard.scope import window_of
from feedback_api.dashboard.sensitive import sensitive_section
from feedback_api.dashboard.suppression import share
from feedback_api.dashboard.volumes import volume_tables

COLUMNS: tuple[tuple[str, str], ...] = (
    ("month", "#date+reported"),
    ("breakdown", "#meta+breakdown"),
    ("province", "#adm1+name"),
    ("province_code", "#adm1+code"),
    ("category", "#x_feedback+type+code"),
    ("topic", "#sector+code"),
    ("channel", "#x_channel"),
    ("language", "#meta+lang"),
    ("count", "#meta+count"),
    ("closed_pct", "#x_feedback+closed+pct"),
)


def _empty_row(month: str, breakdown: str) -> dict[str, Any]:
    row: dict[str, Any] = {name: "" for name, _ in COLUMNS}
    row.update(month=month, breakdown=breakdown)
    return row


def export_rows(
    session: Session, role: str, filters: DashboardFilters, now: dt.datetime
) -> list[dict[str, Any]]:
    filters = filters.model_copy(
        update={"period": Period.month, "calendar": CalendarKind.gregorian, "lang": "en"}
    )
    window = window_of(filters, now)
    volumes = volume_tables(session, role, filters, window)
    tables, series, keys = volumes.tables, volumes.series, volumes.keys
    codes = province_codes()
    rows: list[dict[str, Any]] = []

    first = tables["category"]
    month_closed: dict[str, int] = {}
    for (_, month), closed in series["category"].closed.items():
        month_closed[month] = month_closed.get(month, 0) + closed
    for j, month in enumerate(keys):
        total = (first.column_totals or [])[j]
        row = _empty_row(month, "total")
        row.update(count=total, closed_pct=_pct(month_closed.get(month, 0), total))
        rows.append(row)

    for dimension, table in tables.items():
        rows += _long(table, dimension, keys, series[dimension].closed, codes)

    sensitive = sensitive_section(session, role, filters, window, now)
    if sensitive is not None:
        restricted = sensitive.counts
        for i, category in enumerate(restricted.rows):
            for j, month in enumerate(restricted.columns):
                row = _empty_row(month, "restricted")
                row.update(category=category, count=restricted.cells[i][j])
                rows.append(row)
    return rows


def _pct(closed: int, count: object) -> float | str:
    value = share(closed, count if isinstance(count, int) else None)
    return "" if value is None else value


def _long(
    table: Table,
    dimension: str,
    keys: list[str],
    closed: dict[tuple[str, str], int],
    codes: dict[str, str],
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i, value in enumerate(table.rows):
        shown = "" if value == UNKNOWN else value
        for j, month in enumerate(keys):
            row = _empty_row(month, dimension)
            count = table.cells[i][j]
            row[dimension] = shown or "unknown"  # each dimension has the column of its name
            if dimension == "province":
                row["province_code"] = codes.get(value, "")
            row["count"] = count
            row["closed_pct"] = _pct(closed.get((value, month), 0), count)
            rows.append(row)
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    writer.writerow([tag for _, tag in COLUMNS])
    for row in rows:
        writer.writerow([row[name] for name, _ in COLUMNS])
    return buffer.getvalue()


ABOUT = (
    "Public aggregate export of the feedback dashboard (HXL-tagged, row 2).",
    "Counts below 5 read '<5'; 'x' is withheld so that a small count cannot be worked out.",
    "S2/S3 (restricted) categories: national monthly counts only (#meta+breakdown = restricted).",
    "A blank dimension column means 'all'. #adm1+code: IR + place in provinces.csv, not a P-code.",
    "No free text and no personal data are ever exported.",
)


def to_xlsx(rows: list[dict[str, Any]], filters: DashboardFilters) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "data"
    sheet.append([name for name, _ in COLUMNS])
    sheet.append([tag for _, tag in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[name] for name, _ in COLUMNS])
    sheet.freeze_panes = "A3"
    about = book.create_sheet("about")
    for line in ABOUT:
        about.append([line])
    about.append([])
    for key, value in filters.model_dump(mode="json").items():
        about.append([key, "" if value is None else str(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
