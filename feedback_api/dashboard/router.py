"""The dashboard: the page /console/dashboard, the JSON API and the exports.

`mount_dashboard(app)` is the one line create_app needs. The JSON API and the
exports take a bearer token or the console's session cookie (CurrentUserDep);
the page takes the console login (ConsoleUserDep). Roles: see service.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from feedback_api.console import templating
from feedback_api.console.auth import ConsoleUserDep
from feedback_api.dashboard import charts, export, periods, service
from feedback_api.dashboard.schemas import (
    CHANNELS,
    LANGUAGES,
    CalendarKind,
    DashboardFilters,
    Period,
    Summary,
)
from feedback_api.db import utcnow
from feedback_api.deps import CurrentUserDep, ReadSessionDep
from feedback_api.taxonomy import Role, load_provinces, load_taxonomy

HERE = Path(__file__).resolve().parent
API_PREFIX = "/api/v1/dashboard"
PAGE_PATH = "/console/dashboard"


def dashboard_now() -> dt.datetime:
    """The clock of the dashboard (tests override this dependency)."""
    return utcnow()


NowDep = Annotated[dt.datetime, Depends(dashboard_now)]
FiltersDep = Annotated[DashboardFilters, Query()]

api_router = APIRouter(prefix=API_PREFIX, tags=["dashboard"])


@api_router.get(
    "/summary",
    response_model=Summary,
    summary="Aggregate figures of the accountability dashboard",
    description=(
        "Volumes, response times, backlog, satisfaction and the national monthly S2/S3 "
        "counts, with small-cell suppression applied (k = 5): a count is an integer, "
        '"<5" or "x" (withheld so a small count cannot be recomputed). For '
        "accountability_staff, cfm_manager and (their own cases) the focal points."
    ),
)
def summary(
    session: ReadSessionDep, filters: FiltersDep, user: CurrentUserDep, now: NowDep
) -> Summary:
    return service.build_summary(session, user.role, filters, now)


def _filename(filters: DashboardFilters, now: dt.datetime, suffix: str) -> str:
    return f"feedback-aggregates-{now.date().isoformat()}.{suffix}"


@api_router.get(
    "/export.csv",
    response_class=Response,
    summary="Public aggregate export, CSV with an HXL hashtag row",
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(
    session: ReadSessionDep, filters: FiltersDep, user: CurrentUserDep, now: NowDep
) -> Response:
    rows = export.export_rows(session, user.role, filters, now)
    return Response(
        export.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(filters, now, "csv")}"',
            "Cache-Control": "no-store",
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@api_router.get(
    "/export.xlsx",
    response_class=Response,
    summary="Public aggregate export, Excel with an HXL hashtag row",
    responses={200: {"content": {XLSX: {}}}},
)
def export_xlsx(
    session: ReadSessionDep, filters: FiltersDep, user: CurrentUserDep, now: NowDep
) -> Response:
    rows = export.export_rows(session, user.role, filters, now)
    return Response(
        export.to_xlsx(rows, filters),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(filters, now, "xlsx")}"',
            "Cache-Control": "no-store",
        },
    )


# --- the page ----------------------------------------------------------------------------------

page_router = APIRouter(include_in_schema=False)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(
        directory=[HERE / "templates", templating.HERE / "templates"],
        context_processors=[templating.console_context],
    )
    templates.env.filters.update(templating.templates.env.filters)
    templates.env.globals.update(templating.templates.env.globals)
    return templates


_TEMPLATES: list[Jinja2Templates] = []


def templates() -> Jinja2Templates:
    if not _TEMPLATES:
        _TEMPLATES.append(_templates())
    return _TEMPLATES[0]


def _page_filters(request: Request, lang: str) -> tuple[DashboardFilters, str | None]:
    raw: dict[str, Any] = {
        key: value
        for key, value in request.query_params.items()
        if key in DashboardFilters.model_fields and key != "lang"
    }
    try:
        return DashboardFilters(**raw, lang=lang), None
    except ValidationError:
        return DashboardFilters(lang=lang), "bad_filters"


def _options(lang: str) -> dict[str, list[tuple[str, str]]]:
    taxonomy = load_taxonomy()
    return {
        "province": [(p, service.label("province", p, lang)) for p in load_provinces()],
        "channel": [(c, service.label("channel", c, lang)) for c in CHANNELS],
        "language": [(c, service.label("language", c, lang)) for c in LANGUAGES],
        "category": [
            (c, f"{c} · {service.label('category', c, lang)}") for c in taxonomy.categories
        ],
    }


def page_context(data: Summary, lang: str, query: str) -> dict[str, Any]:
    rtl = lang == "fa"
    texts = service.texts()

    def tx(key: str) -> str:
        return service.text(key, lang)

    volume_charts = {
        dimension: charts.stacked_columns(table, tx(f"by_{dimension}"), lang, rtl)
        for dimension, table in data.volumes.items()
    }
    share_chart = charts.hbars(
        [charts.Bar(r.label, r.pct if r.pct is not None else r.count, "٪" if rtl else "%")
         if r.pct is not None else charts.Bar(r.label, r.count) for r in data.category_share],
        tx("category_share"), lang, rtl, scale_max=None,
    )  # fmt: skip
    sla_charts = {
        stage: charts.hbars(
            [
                charts.Bar(row.label, getattr(row, stage).on_time_pct, "٪" if rtl else "%")
                for row in data.response
                if getattr(row, stage).decided is not None
            ],
            f"{tx(stage)} {tx('on_time')}",
            lang,
            rtl,
            scale_max=100.0,
            colour=charts.color(i),
            width=400,
            label_w=130,
        )
        for i, stage in enumerate(service.STAGES)
    }
    backlog_chart = charts.hbars(
        [
            charts.Bar(label, value)
            for label, value in zip(
                data.backlog.column_labels, data.backlog.column_totals or [], strict=True
            )
        ],
        tx("backlog"),
        lang,
        rtl,
        colour="#e07a1f",
    )
    satisfaction_chart = charts.hbars(
        [charts.Bar(r.label, r.mean) for r in data.satisfaction_channel],
        tx("satisfaction"),
        lang,
        rtl,
        scale_max=5.0,
        colour="#3a9d5d",
    )
    sensitive_chart = None
    if data.sensitive is not None:
        sensitive_chart = charts.stacked_columns(data.sensitive.counts, tx("sensitive"), lang, rtl)
    return {
        "data": data,
        "tx": tx,
        "texts": texts,
        "num": lambda value: charts._num(value, lang),
        "date_label": lambda day: periods.date_label(day, data.filters.calendar, lang),
        "options": _options(lang),
        "volume_charts": volume_charts,
        "legends": {d: charts.legend(t) for d, t in data.volumes.items()},
        "share_chart": share_chart,
        "sla_charts": sla_charts,
        "backlog_chart": backlog_chart,
        "satisfaction_chart": satisfaction_chart,
        "sensitive_chart": sensitive_chart,
        "sensitive_legend": charts.legend(data.sensitive.counts) if data.sensitive else [],
        "query": query,
        "periods": [p.value for p in Period],
        "calendars": [c.value for c in CalendarKind],
        "province_codes": service.province_codes(),
        "province_topic_peak": max(
            (v for row in data.province_topics.cells for v in row if isinstance(v, int)), default=0
        ),
        "top_topics": {
            province: "، ".join(service.label("topic", t, lang) for t in topics)
            if rtl
            else ", ".join(service.label("topic", t, lang) for t in topics)
            for province, topics in data.top_topics.items()
        },
        "active": "dashboard",
    }


@page_router.get(PAGE_PATH, response_class=HTMLResponse)
def page(session: ReadSessionDep, request: Request, user: ConsoleUserDep, now: NowDep) -> Response:
    """The page; ConsoleUserDep sends a logged-out browser to the login page."""
    lang = templating.ui_language(request)
    if Role(user.role) not in service.DASHBOARD_ROLES:
        response = templates().TemplateResponse(
            request, "dashboard_forbidden.html", {"tx": lambda k: service.text(k, lang)},
            status_code=403,
        )  # fmt: skip
        return response
    filters, problem = _page_filters(request, lang)
    data = service.build_summary(session, user.role, filters, now)
    query = str(request.url.query)
    context = page_context(data, lang, query)
    context["problem"] = problem
    response = templates().TemplateResponse(request, "dashboard.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


def mount_dashboard(app: FastAPI) -> None:
    app.include_router(api_router)
    app.include_router(page_router)
    app.mount(
        f"{PAGE_PATH}/static", StaticFiles(directory=HERE / "static"), name="dashboard_static"
    )
