"""Inbound messages: stored first, then routed, in order per contact.

`store()` writes the message (text encrypted) before anything else happens,
deduplicated by the provider's id, and handles what must not wait: opt-in and
opt-out (SMS keywords, Telegram blocks). `process_pending()` routes the rest,
oldest first per contact: a satisfaction answer, the operator who has the
conversation, a polite reply to media, or the assistant (Rasa). When Rasa is
down or slow the message waits and the person gets one acknowledgement.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels import dbthread, signals, texts
from channels.models import InboundMessage
from channels.outbox import queue, queue_text, resolve_callback, state_of, transport_for
from channels.rasa_client import RasaClient, RasaUnavailable
from channels.render import menu_choice
from channels.sms import keyword
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.handoff import service as handoffs
from feedback_api.settings import get_settings
from persian_text import to_ascii_digits

log = logging.getLogger(__name__)

START_INTENT = "/greet"
SATISFACTION_PREFIX = "sat:"


@dataclass(frozen=True)
class Incoming:
    channel: str  # telegram | sms
    external_id: str
    address: str
    kind: str = "text"  # text, command, callback, edited, media, system
    text: str | None = None
    payload: str | None = None
    media_type: str | None = None
    member_status: str | None = None
    start_payload: str | None = None


def store(session: Session, incoming: Incoming) -> InboundMessage | None:
    """Store the message; None when this provider id was stored before (a redelivery)."""
    exists = session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.channel == incoming.channel,
            InboundMessage.external_id == incoming.external_id,
        )
    )
    if exists is not None:
        return None
    row = InboundMessage(
        channel=incoming.channel,
        transport=transport_for(incoming.channel, incoming.address),
        external_id=incoming.external_id,
        kind=incoming.kind,
        text=incoming.text,
        payload=incoming.payload,
        media_type=incoming.media_type,
        status="pending",
        received_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    contact = contacts.ensure_contact(session, incoming.channel, incoming.address)
    row.contact_id = contact.id
    _handle_now(session, row, contact, incoming)
    session.flush()
    return row


def _done(row: InboundMessage, route: str, status: str = "done") -> None:
    row.status = status
    row.route = route
    row.processed_at = utcnow()


def _handle_now(
    session: Session, row: InboundMessage, contact: Contact, incoming: Incoming
) -> None:
    if incoming.kind == "system":
        if incoming.member_status in ("kicked",):
            contact.opted_out = True
        elif incoming.member_status in ("member", "administrator", "restricted"):
            contact.opted_out = False
        _done(row, "system", "ignored")
        return
    if incoming.channel == "telegram":
        # Only someone who unblocked the bot can write to it: they are back.
        contact.opted_out = False
        if incoming.start_payload in texts.LANGUAGES and contact.language is None:
            contact.language = incoming.start_payload
        return
    if incoming.channel == "sms" and incoming.kind == "text":
        word = keyword(incoming.text)
        if word is None:
            return
        if word == "stop":
            contact.opted_out = True
            queue_text(
                session,
                contact,
                "stop_confirm",
                force=True,
                in_reply_to=row.id,
            )
        elif word == "start":
            contact.opted_out = False
            queue_text(
                session,
                contact,
                "start_confirm",
                in_reply_to=row.id,
            )
        else:
            queue_text(
                session,
                contact,
                "help",
                force=True,
                in_reply_to=row.id,
            )
        _done(row, f"keyword:{word}")
        signals.wake("outbox")


def satisfaction_score(payload: str | None, text: str | None) -> int | None:
    if payload and payload.startswith(SATISFACTION_PREFIX):
        value = payload[len(SATISFACTION_PREFIX) :]
        return int(value) if value in {"1", "2", "3", "4", "5"} else None
    if text:
        match = re.fullmatch(r"\s*([1-5])\s*", to_ascii_digits(text))
        if match:
            return int(match.group(1))
    return None


def rasa_retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 * attempts, 15))


@dataclass(frozen=True)
class _Turn:
    row_id: int
    contact_id: str
    sender: str
    message: str
    metadata: dict[str, Any]
    channel: str
    address: str | None
    language: str | None


def contacts_with_pending(session: Session, now: dt.datetime, limit: int = 50) -> list[str]:
    rows = session.execute(
        select(InboundMessage.contact_id, func.min(InboundMessage.id))
        .where(InboundMessage.status == "pending", InboundMessage.contact_id.is_not(None))
        .group_by(InboundMessage.contact_id)
        .order_by(func.min(InboundMessage.id))
        .limit(limit)
    ).all()
    due: list[str] = []
    for contact_id, first_id in rows:
        first = session.get(InboundMessage, first_id)
        if first is not None and first.next_attempt_at <= now and contact_id is not None:
            due.append(contact_id)
    return due


async def process_pending(
    session: Session, rasa: RasaClient, *, now: dt.datetime | None = None
) -> int:
    """Route every due waiting message, per contact in order. Returns messages handled.

    Database work runs in worker threads, each phase committed there (channels.dbthread);
    only the call to the assistant is awaited on the event loop.
    """
    now = now or utcnow()
    handled = 0
    for contact_id in await dbthread.phase(session, contacts_with_pending, now):
        handled += await process_contact(session, rasa, contact_id, now=now)
    return handled


def _next_pending(
    session: Session, contact_id: str, now: dt.datetime | None
) -> InboundMessage | None:
    """The contact's oldest waiting message, if it is due."""
    row = session.scalar(
        select(InboundMessage)
        .where(InboundMessage.contact_id == contact_id, InboundMessage.status == "pending")
        .order_by(InboundMessage.id)
        .limit(1)
    )
    if row is None or row.next_attempt_at > (now or utcnow()):
        return None
    return row


async def process_contact(
    session: Session, rasa: RasaClient, contact_id: str, *, now: dt.datetime | None = None
) -> int:
    handled = 0
    while True:
        row = await dbthread.phase(session, _next_pending, contact_id, now)
        if row is None:
            return handled
        if not await process_one(session, rasa, row):
            return handled
        handled += 1


def _start_turn(session: Session, row: InboundMessage) -> _Turn | None:
    """Everything before the assistant; the turn for it, or None when the message is done."""
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    if contact is None:
        _done(row, "erased", "ignored")
        return None
    return _route(session, row, contact)


def _finish_turn(
    session: Session, row: InboundMessage, turn: _Turn, replies: list[dict[str, Any]] | None
) -> None:
    row = session.get(InboundMessage, turn.row_id) or row
    if replies is None:
        row.attempts += 1
        row.next_attempt_at = utcnow() + rasa_retry_delay(row.attempts)
        return
    _store_replies(session, row, turn, replies)


async def process_one(session: Session, rasa: RasaClient, row: InboundMessage) -> bool:
    """Route one message. False when it must wait (Rasa unavailable)."""
    turn = await dbthread.phase(session, _start_turn, row)
    signals.wake("outbox")
    if turn is None:
        return True
    replies = await _ask_rasa(session, rasa, turn)
    await dbthread.phase(session, _finish_turn, row, turn, replies)
    signals.wake("outbox")
    return replies is not None


def _route(session: Session, row: InboundMessage, contact: Contact) -> _Turn | None:
    """Everything that does not need the assistant; the turn for Rasa otherwise."""
    state = state_of(session, contact)
    payload: str | None = None
    if row.kind == "callback" and row.payload:
        payload = resolve_callback(session, row.payload)
        title = next(
            (b["title"] for b in state.last_menu or [] if b.get("payload") == payload), None
        )
        if row.text is None:
            row.text = title or payload
    elif row.channel == "sms" and row.text:
        payload = menu_choice(row.text, state.last_menu)

    if state.pending_satisfaction_case_id is not None:
        score = satisfaction_score(payload, row.text)
        case = session.get(Case, state.pending_satisfaction_case_id)
        state.pending_satisfaction_case_id = None
        if score is not None and case is not None:
            cases.record_satisfaction(session, case, score)
            row.case_id = case.id
            state.last_menu = None
            queue_text(
                session,
                contact,
                "satisfaction_thanks",
                in_reply_to=row.id,
            )
            _done(row, "satisfaction")
            return None

    handoff = handoffs.current(session, contact)
    if handoff is not None and handoff.status == "active":
        row.handoff_id = handoff.id
        row.case_id = handoff.case_id
        if handoff.case_id is not None:
            case = session.get(Case, handoff.case_id)
            if case is not None:
                body = row.text or f"[{row.media_type or row.kind}]"
                cases.add_message(session, case, "in", body, actor="contact")
        if row.kind == "media":
            _media_reply(session, row, contact)
        _done(row, "operator", "operator")
        return None

    if row.kind == "media":
        _media_reply(session, row, contact)
        _done(row, "media")
        return None
    if row.channel == "sms" and contact.opted_out:
        _done(row, "opted_out", "ignored")
        return None

    message = START_INTENT if row.kind == "command" else payload or row.text or ""
    if not message.strip():
        _done(row, "empty", "ignored")
        return None
    if row.channel == "sms":
        state.last_menu = None  # a menu answers one question only
    return _Turn(
        row_id=row.id,
        contact_id=contact.id,
        sender=contact.pseudonym,
        message=message,
        # Never an address or a provider id in here.
        metadata={"channel": contact.channel, "language": contact.language},
        channel=contact.channel,
        address=contacts.address_of(contact),
        language=contact.language,
    )


def _media_reply(session: Session, row: InboundMessage, contact: Contact) -> None:
    queue_text(
        session,
        contact,
        "media_unsupported",
        in_reply_to=row.id,
    )


def _acknowledge(session: Session, turn: _Turn) -> None:
    """One "received, we will answer shortly" per wait."""
    contact = session.get(Contact, turn.contact_id)
    if contact is None:
        return
    state = state_of(session, contact)
    if state.acknowledged_wait_at is not None:
        return
    state.acknowledged_wait_at = utcnow()
    queue_text(
        session,
        contact,
        "received_ack",
        in_reply_to=turn.row_id,
    )


async def _ask_rasa(session: Session, rasa: RasaClient, turn: _Turn) -> list[dict[str, Any]] | None:
    settings = get_settings()
    task = asyncio.ensure_future(rasa.send(turn.sender, turn.message, turn.metadata))
    try:
        done, _ = await asyncio.wait({task}, timeout=settings.rasa_ack_after_seconds)
        if not done:
            await dbthread.phase(session, _acknowledge, turn)
            signals.wake("outbox")
        return await task
    except RasaUnavailable as exc:
        log.info("assistant unavailable (%s); message %s waits", exc, turn.row_id)
        await dbthread.phase(session, _acknowledge, turn)
        signals.wake("outbox")
        return None


def _store_replies(
    session: Session, row: InboundMessage, turn: _Turn, replies: list[dict[str, Any]]
) -> None:
    # The assistant's actions changed the contact meanwhile (language, or deleted it).
    session.expire_all()
    row = session.get(InboundMessage, turn.row_id) or row
    contact = session.get(Contact, turn.contact_id)
    language = contact.language if contact is not None else turn.language
    for reply in replies:
        text = str(reply.get("text") or "")
        custom = reply.get("custom")
        if not text and isinstance(custom, dict) and isinstance(custom.get("text"), str):
            text = custom["text"]
        if reply.get("image"):
            text = (text + "\n" + str(reply["image"])).strip()
        buttons = [b for b in reply.get("buttons") or [] if isinstance(b, dict)]
        if not text and not buttons:
            continue
        queue(
            session,
            contact=contact,
            text=text,
            kind="reply",
            sender="bot",
            buttons=buttons,
            channel=turn.channel,
            # Captured before the turn: a "your data is deleted" reply still goes out.
            address=turn.address,
            language=language,
            in_reply_to=turn.row_id,
        )
    if contact is not None:
        state_of(session, contact).acknowledged_wait_at = None
    _done(row, "bot")
