"""The service: the API, and the channel gateway, console and dashboard mounted beside it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DataError

from feedback_api.api_docs import mount_docs
from feedback_api.audit.router import router as audit_router
from feedback_api.cases.router import bot_router as bot_cases_router
from feedback_api.cases.router import staff_router as cases_router
from feedback_api.console import mount_console
from feedback_api.contacts.router import router as contacts_router
from feedback_api.dashboard.router import mount_dashboard
from feedback_api.deps import ReadSessionDep
from feedback_api.errors import BusinessError, business_error_handler, data_error_handler
from feedback_api.handoff.router import router as handoff_router
from feedback_api.messaging import Messaging, NoMessaging
from feedback_api.middleware import BodyLimit, SecurityHeaders
from feedback_api.safeguarding import retention
from feedback_api.safeguarding.triage import warm_up
from feedback_api.settings import get_settings
from feedback_api.users.router import router as users_router

LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Mounted parts (the channel outbox worker, for one) start and stop with the app.
    async with AsyncExitStack() as stack:
        for hook in app.state.lifespan_hooks:
            await stack.enter_async_context(hook(app))
        yield


def create_app(messaging: Messaging | None = None) -> FastAPI:
    """The service. `messaging` is its way to people (the channel gateway: see main.py);
    without one, nothing can be sent."""
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
        # Served by mount_docs, behind the console login (and not at all in production).
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.messaging = messaging or NoMessaging()
    app.state.lifespan_hooks = [warm_up, retention.lifespan]
    settings = get_settings()
    app.add_middleware(
        BodyLimit, webhook_limit=settings.max_webhook_body_bytes, limit=settings.max_body_bytes
    )
    app.add_middleware(SecurityHeaders, hsts=settings.public_base_url.startswith("https://"))
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
    if settings.app_env != "production":
        mount_docs(app)

    @app.get("/health", tags=["health"])
    def health(session: ReadSessionDep) -> dict[str, str]:
        session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app
