"""The service: the API, and the channel gateway, console and dashboard mounted beside it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DataError

from feedback_api.audit.router import router as audit_router
from feedback_api.cases.router import bot_router as bot_cases_router
from feedback_api.cases.router import staff_router as cases_router
from feedback_api.console import mount_console
from feedback_api.contacts.router import router as contacts_router
from feedback_api.dashboard.router import mount_dashboard
from feedback_api.deps import ReadSessionDep
from feedback_api.errors import BusinessError, business_error_handler, data_error_handler
from feedback_api.handoff.router import router as handoff_router
from feedback_api.users.router import router as users_router

LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Mounted parts (the channel outbox worker, for one) start and stop with the app.
    async with AsyncExitStack() as stack:
        for hook in app.state.lifespan_hooks:
            await stack.enter_async_context(hook(app))
        yield


def create_app() -> FastAPI:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = FastAPI(
        title="AAP feedback API",
        version="0.1.0",
        description=(
            "Cases, contacts, handoff and the staff API of the chatbot and hotline "
            "feedback system. Bot endpoints take the service token; staff endpoints a user token."
        ),
        lifespan=_lifespan,
    )
    app.state.lifespan_hooks = []
    app.add_exception_handler(BusinessError, business_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    for router in (
        bot_cases_router,
        contacts_router,
        handoff_router,
        cases_router,
        users_router,
        audit_router,
    ):
        app.include_router(router)
    mount_console(app)
    mount_dashboard(app)

    from channels.mount import mount_channels  # the gateway imports the API: import late

    mount_channels(app)

    @app.get("/health", tags=["health"])
    def health(session: ReadSessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
