"""The ASGI application (`uvicorn feedback_api.main:app`): the service and its gateway.

The composition root: the only module of feedback_api that imports the channel
gateway. The service knows the gateway through feedback_api.messaging only.
"""

from __future__ import annotations

from fastapi import FastAPI

from channels.gateway import ChannelGateway
from channels.mount import mount_channels
from feedback_api.app import create_app
from feedback_api.ops.router import router as ops_router
from feedback_api.settings import get_settings


def build_app() -> FastAPI:
    gateway = ChannelGateway(get_settings())
    app = create_app(messaging=gateway)
    mount_channels(app, gateway)
    app.include_router(ops_router)
    return app


def messaging() -> ChannelGateway:
    """The gateway alone, for commands that reach it without the web app (purge)."""
    return ChannelGateway(get_settings())


app = build_app()
