"""`mount_channels(app)`: webhooks, simulator, hooks and workers of the gateway."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from channels import rasa_tracker, service, simulator, worker
from channels.router import router
from feedback_api import notify
from feedback_api.contacts import service as contacts

STATIC = Path(__file__).resolve().parent / "static"


def register_hooks() -> None:
    notify.register_sender(service.notify_sender)
    for eraser in (service.erase_contact, rasa_tracker.erase_conversation):
        if eraser not in contacts.ERASERS:
            contacts.register_eraser(eraser)


def quiet_library_logs() -> None:
    """httpx logs request URLs at INFO, and Telegram URLs carry the bot token; twilio's
    client logs requests too. Keep both at WARNING."""
    for name in ("httpx", "twilio.http_client"):
        logging.getLogger(name).setLevel(logging.WARNING)


def mount_channels(app: FastAPI) -> None:
    register_hooks()
    quiet_library_logs()
    app.include_router(router)
    app.include_router(simulator.router)
    app.mount("/simulator/static", StaticFiles(directory=STATIC), name="simulator-static")
    app.state.lifespan_hooks.append(worker.lifespan)
