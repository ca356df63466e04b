"""The page /console/dashboard: every figure of the summary, and nothing from outside."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.dashboard import service
from feedback_api.dashboard.charts import _num
from feedback_api.dashboard.schemas import DashboardFilters
from feedback_api.deps import SESSION_COOKIE
from tests.factories import make_user, token_for
from tests.feedback_api.dashboard.conftest import SECRET
from tests.feedback_api.dashboard.factories import ANCHOR


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
    api: TestClient, session: Session, seeded_with_secret: list[dict[str, Any]]
) -> None:
    user = make_user(session, "accountability_staff")
    page = api.get(
        "/console/dashboard?calendar=gregorian&period=month",
        cookies={SESSION_COOKIE: token_for(user)},
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
