"""Console views: live chats (claim, read, reply, end, take over, release).

The rules are handoff.service's; a NotFound is the 404 page (routes.common)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.console import service as console
from feedback_api.console.auth import PREFIX
from feedback_api.console.routes.common import CaseWorker, redirect
from feedback_api.console.schemas import SendForm
from feedback_api.console.templating import render, translate, ui_language
from feedback_api.contacts.models import Contact
from feedback_api.deps import MessagingDep, SessionDep
from feedback_api.errors import Conflict
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.messaging import GatewayUnavailable, Messaging
from feedback_api.users.models import User

router = APIRouter()


@router.post("/handoffs/{handoff_id}/claim")
def claim_handoff(handoff_id: int, user: CaseWorker, session: SessionDep) -> Response:
    try:
        handoffs.claim_for(session, user, handoff_id)
    except Conflict:
        return redirect(f"{PREFIX}/?taken={handoff_id}")
    return redirect(f"{PREFIX}/chat/{handoff_id}")


def _lines(
    session: Session,
    messaging: Messaging,
    user: User,
    handoff: Handoff,
    contact: Contact | None,
) -> list[dict[str, Any]]:
    if contact is None:
        return []
    lines = messaging.transcript(session, contact, handoff, handoffs.case_visibility(session, user))
    handoffs.audit_read(session, user, handoff, contact)
    return [
        {
            "at": line.at.isoformat() if line.at else None,
            "direction": line.direction,
            "text": line.text,
            "masked": line.masked,
            "sender": line.sender,
            "who": "person"
            if line.direction == "in"
            else ("operator" if line.sender.startswith("operator") else "bot"),
            "status": line.status,
        }
        for line in lines
    ]


@router.get("/chat/{handoff_id}")
def chat(
    request: Request,
    handoff_id: int,
    user: CaseWorker,
    session: SessionDep,
    messaging: MessagingDep,
) -> Response:
    handoff = handoffs.get_for_user(session, user, handoff_id)
    contact = session.get(Contact, handoff.contact_id)
    linked = session.get(Case, handoff.case_id) if handoff.case_id else None
    error = None
    try:
        lines = _lines(session, messaging, user, handoff, contact)
    except GatewayUnavailable:
        lines, error = [], translate(ui_language(request), "chat.no_gateway")
    holder = session.get(User, handoff.claimed_by_id) if handoff.claimed_by_id else None
    return render(
        request,
        "chat.html",
        {
            "active": "queue",
            "handoff": handoff,
            "contact": contact,
            "linked": linked,
            "lines": lines,
            "holder": holder,
            "mine": handoff.status == "active" and handoff.claimed_by_id == user.id,
            "error": error,
        },
    )


@router.get("/chat/{handoff_id}/messages.json")
def chat_messages(
    handoff_id: int, user: CaseWorker, session: SessionDep, messaging: MessagingDep
) -> JSONResponse:
    handoff = handoffs.get_for_user(session, user, handoff_id)
    try:
        lines = _lines(session, messaging, user, handoff, session.get(Contact, handoff.contact_id))
    except GatewayUnavailable:
        lines = []
    return JSONResponse(
        {"status": handoff.status, "lines": lines}, headers={"Cache-Control": "no-store"}
    )


@router.post("/chat/{handoff_id}/reply")
def chat_reply(
    request: Request,
    handoff_id: int,
    user: CaseWorker,
    session: SessionDep,
    messaging: MessagingDep,
    form: Annotated[SendForm, Form()],
) -> Response:
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        handoffs.reply(session, messaging, user, handoff_id, form.text)
    except (Conflict, GatewayUnavailable) as exc:
        if wants_json:
            return JSONResponse({"detail": str(exc)}, status_code=409)
        return redirect(f"{PREFIX}/chat/{handoff_id}")
    if wants_json:
        return JSONResponse({"ok": True})
    return redirect(f"{PREFIX}/chat/{handoff_id}")


@router.post("/chat/{handoff_id}/end")
def chat_end(
    handoff_id: int, user: CaseWorker, session: SessionDep, messaging: MessagingDep
) -> Response:
    try:
        handoffs.end_by(session, messaging, user, handoff_id, goodbye=console.chat_ended_text)
    except Conflict:
        return redirect(f"{PREFIX}/chat/{handoff_id}")
    return redirect(f"{PREFIX}/")


@router.post("/chat/{handoff_id}/take")
def chat_take(handoff_id: int, user: CaseWorker, session: SessionDep) -> Response:
    # A chat that ended meanwhile: its page says so.
    with contextlib.suppress(Conflict):
        handoffs.take_over(session, user, handoff_id)
    return redirect(f"{PREFIX}/chat/{handoff_id}")


@router.post("/chat/{handoff_id}/release")
def chat_release(handoff_id: int, user: CaseWorker, session: SessionDep) -> Response:
    try:
        handoffs.release_by(session, user, handoff_id)
    except Conflict:
        return redirect(f"{PREFIX}/chat/{handoff_id}")
    return redirect(f"{PREFIX}/")
