"""The dashboard's routes: the JSON API, the exports and the page /console/dashboard.

`mount_dashboard(app)` is the one line create_app needs. The JSON API and the
exports take a bearer token or the console's session cookie (CurrentUserDep);
the page takes the console login (ConsoleUserDep). Roles: see scope.py; what
the page shows: page.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from feedback_api.console import templating
from feedback_api.console.auth import ConsoleUserDep
from feedback_api.dashboard import export, labels, service
from feedback_api.dashboard.page import page_context, templates
from feedback_api.dashboard.schemas import DashboardFilters, Summary
from feedback_api.dashboard.scope import DASHBOARD_ROLES
from feedback_api.db import utcnow
from feedback_api.deps import CurrentUserDep, ReadSessionDep
from feedback_api.taxonomy import Role

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


def _download(content: str | bytes, media_type: str, now: dt.datetime, suffix: str) -> Response:
    filename = f"feedback-aggregates-{now.date().isoformat()}.{suffix}"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


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
    return _download(export.to_csv(rows), "text/csv; charset=utf-8", now, "csv")


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
    return _download(export.to_xlsx(rows, filters), XLSX, now, "xlsx")


# --- the page ----------------------------------------------------------------------------------

page_router = APIRouter(include_in_schema=False)


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


@page_router.get(PAGE_PATH, response_class=HTMLResponse)
def page(session: ReadSessionDep, request: Request, user: ConsoleUserDep, now: NowDep) -> Response:
    """The page; ConsoleUserDep sends a logged-out browser to the login page."""
    lang = templating.ui_language(request)
    if Role(user.role) not in DASHBOARD_ROLES:
        response = templates().TemplateResponse(
            request, "dashboard_forbidden.html", {"tx": lambda k: labels.text(k, lang)},
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
