"""`mount_channels(app, gateway)`: the gateway's webhooks, simulator and workers."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from channels import simulator, worker
from channels.gateway import ChannelGateway
from channels.router import webhooks

STATIC = Path(__file__).resolve().parent / "static"


def quiet_library_logs() -> None:
    """httpx logs request URLs at INFO, and Telegram URLs carry the bot token; twilio's
    client logs requests too. Keep both at WARNING."""
    for name in ("httpx", "twilio.http_client"):
        logging.getLogger(name).setLevel(logging.WARNING)


def mount_channels(app: FastAPI, gateway: ChannelGateway) -> None:
    quiet_library_logs()
    app.include_router(webhooks(gateway.providers))
    app.include_router(simulator.router)
    app.mount("/simulator/static", StaticFiles(directory=STATIC), name="simulator-static")
    app.state.lifespan_hooks.append(worker.lifespan(gateway))
