"""The web simulator: staff chat as a Telegram or SMS user (SMS by Twilio or by the Android
local-SIM gateway: the same to the person) through the real pipeline.

Messages are stored and routed like any other; replies go through the outbox
to the "web" transport and the page polls them. Staff login required.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from channels import inbound, render, signals
from channels.models import OutboxMessage
from channels.outbox import SIM_PREFIX
from channels.providers.base import Keywords, Received
from channels.sms import SMS_KEYWORDS
from feedback_api.console.auth import csrf_token
from feedback_api.contacts import service as contacts
from feedback_api.deps import CurrentUserDep, SessionDep
from feedback_api.errors import BusinessError, NotFound
from feedback_api.users.models import User
from persian_text import sms

router = APIRouter(tags=["simulator"])
PAGE = Path(__file__).resolve().parent / "static" / "simulator.html"
CONVERSATION = re.compile(r"^[a-z0-9]{1,16}$")

SimChannel = Literal["telegram", "sms", "android"]


@dataclass(frozen=True)
class Simulated:
    """A simulated route: the medium and keywords of a provider, the "web" transport."""

    medium: str
    keywords: Keywords
    name: str = "web"


# Telegram, and SMS as it comes through Twilio or through a local SIM (the same to people).
SOURCES = {
    "telegram": Simulated("telegram", Keywords()),
    "sms": Simulated("sms", SMS_KEYWORDS),
    "android": Simulated("sms", SMS_KEYWORDS),
}


class BadRequest(BusinessError):
    status_code = 400
    code = "bad_request"


def sim_address(user: User, conversation: str) -> str:
    if not CONVERSATION.match(conversation):
        raise BadRequest("conversation: 1-16 lowercase letters or digits", code="bad_conversation")
    return f"{SIM_PREFIX}{user.username}:{conversation}"


class SimMessage(BaseModel):
    channel: SimChannel
    conversation: str = Field(min_length=1, max_length=16)
    text: str | None = Field(None, max_length=4096)
    payload: str | None = Field(None, max_length=1000)


@router.get("/simulator", response_class=HTMLResponse, include_in_schema=False)
def simulator_page(request: Request, user: CurrentUserDep) -> HTMLResponse:
    # The page's script sends the session's CSRF token with every call (the JSON API takes
    # the cookie only with it).
    meta = f'<meta name="csrf-token" content="{csrf_token(request)}">'
    page = PAGE.read_text(encoding="utf-8").replace("</head>", f"{meta}\n</head>", 1)
    return HTMLResponse(page)


@router.post("/simulator/api/send")
def simulator_send(
    body: SimMessage,
    user: CurrentUserDep,
    session: SessionDep,
    x_simulator: str | None = Header(None),
) -> dict[str, Any]:
    # A custom header cannot be sent cross-site without CORS: no CSRF with the cookie.
    if x_simulator != "1":
        raise BadRequest("X-Simulator header required", code="missing_header")
    address = sim_address(user, body.conversation)
    external_id = f"sim-{uuid.uuid4().hex}"
    if body.payload and body.channel == "telegram":
        received = Received(external_id, address, kind="callback", payload=body.payload)
    else:
        text = (body.text or "").strip()
        if not text:
            raise BadRequest("text required", code="empty")
        command = body.channel == "telegram" and text.startswith("/start")
        received = Received(
            external_id,
            address,
            kind="command" if command else "text",
            text="/start" if command else text,
            language=(text[len("/start") :].strip() or None) if command else None,
        )
    row = inbound.store(session, SOURCES[body.channel], received)
    session.commit()
    signals.wake("inbound")
    return {"stored": row is not None, "id": row.id if row else None}


@router.get("/simulator/api/messages")
def simulator_messages(
    user: CurrentUserDep,
    session: SessionDep,
    channel: SimChannel,
    conversation: str,
    after: int = Query(0, ge=0),
) -> dict[str, Any]:
    address = sim_address(user, conversation)
    medium = SOURCES[channel].medium
    contact = contacts.find(session, contacts.pseudonym_for(medium, address))
    if contact is None:
        if after:
            raise NotFound("unknown conversation", code="unknown_conversation")
        return {"messages": []}
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact.id, OutboxMessage.id > after)
        .order_by(OutboxMessage.id)
    ).all()
    messages = []
    for row in rows:
        item: dict[str, Any] = {
            "id": row.id,
            "at": row.created_at.isoformat(),
            "sender": row.sender,
            "status": row.status,
            "kind": row.kind,
        }
        buttons = [
            {"title": b.get("title", ""), "data": b.get("data", "")} for b in row.buttons or []
        ]
        if medium == "sms":
            body = render.sms_menu(row.text or "", list(row.buttons or []), row.language)
            info = sms.measure(body)
            item.update(
                text=body,
                buttons=[],
                segments=info.segments,
                encoding=info.encoding,
                units=info.units,
                parts=sms.split(body),
            )
        else:
            item.update(
                text=row.text or "", buttons=buttons, parts=render.split_telegram(row.text or "")
            )
        messages.append(item)
    return {"messages": messages}
