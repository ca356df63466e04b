"""The hotline console under /console/ (server-rendered; assets served locally)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def mount_console(app: FastAPI) -> None:
    from feedback_api.console.routes import router
    from feedback_api.console.routes.common import PageNotFound, page_not_found_handler

    app.include_router(router)
    app.add_exception_handler(PageNotFound, page_not_found_handler)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console_static")
