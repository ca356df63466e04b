"""The console's view of the channel gateway (channels/service.py).

The gateway owns the outbox and the transcript; the console only calls these
functions. Imported lazily so the console still renders (read-only) in a
deployment without the gateway.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact

log = logging.getLogger(__name__)


class GatewayUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Line:
    at: dt.datetime | None
    direction: str  # "in" or "out"
    text: str
    sender: str
    channel: str
    status: str


def _module() -> ModuleType:
    try:
        return importlib.import_module("channels.service")
    except ImportError as exc:
        raise GatewayUnavailable("the channel gateway is not installed") from exc


def available() -> bool:
    try:
        _module()
    except GatewayUnavailable:
        return False
    return True


def send_operator_text(session: Session, contact: Contact, text: str, username: str) -> None:
    _module().send_text(session, contact, text, kind="operator", sender=f"operator:{username}")


def send_notice(session: Session, contact: Contact, text: str) -> None:
    """A system sentence (the chat ended), in the person's language, chosen by the caller."""
    _module().send_text(session, contact, text, kind="notice", sender="system")


def ask_satisfaction(session: Session, contact: Contact, case: Case) -> None:
    _module().ask_satisfaction(session, contact, case)


def transcript(session: Session, contact: Contact, limit: int = 200) -> list[Line]:
    lines: list[Any] = _module().transcript(session, contact, limit=limit)
    return [
        Line(
            at=getattr(line, "at", None),
            direction=str(getattr(line, "direction", "in")),
            text=str(getattr(line, "text", "") or ""),
            sender=str(getattr(line, "sender", "") or ""),
            channel=str(getattr(line, "channel", "") or ""),
            status=str(getattr(line, "status", "") or ""),
        )
        for line in lines
    ]
