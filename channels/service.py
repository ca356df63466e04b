"""The gateway's in-process API (console, notify) and the receive entry points.

For the console:
- `send_text(session, contact, text, kind=..., sender=..., buttons=...)`
- `send_template(session, contact, template, **params)`
- `transcript(session, contact, limit=200)`
- `ask_satisfaction(session, contact, case)`
They queue in the outbox and flush; the caller commits (the request does).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from channels import inbound, outbox, signals, sms, telegram, texts
from channels.models import ContactState, InboundMessage, OutboxMessage
from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact
from feedback_api.db import get_sessionmaker

log = logging.getLogger(__name__)

KINDS = ("reply", "operator", "notice", "bulk")


@dataclass(frozen=True)
class TranscriptLine:
    at: dt.datetime
    direction: str  # "in" | "out"
    text: str | None
    sender: str  # "contact", "bot", "system", "operator:<username>"
    channel: str
    status: str


def send_text(
    session: Session,
    contact: Contact,
    text: str,
    *,
    kind: str = "reply",
    sender: str = "bot",
    buttons: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """Queue a message to the person (kind reply|operator|notice|bulk)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    row = outbox.queue(
        session, contact=contact, text=text, kind=kind, sender=sender, buttons=buttons
    )
    signals.wake("outbox")
    return row


def send_template(
    session: Session, contact: Contact, template: str, **params: str
) -> OutboxMessage:
    """A sentence of channels/texts in the contact's language."""
    row = outbox.queue_text(session, contact, template, params=params, kind="notice")
    signals.wake("outbox")
    return row


def ask_satisfaction(session: Session, contact: Contact, case: Case) -> OutboxMessage:
    """The 1-5 question; the answer is recorded on the case instead of going to the assistant."""
    labels = texts.options("satisfaction_options", contact.language)
    buttons = [
        {"title": label, "payload": f"{inbound.SATISFACTION_PREFIX}{i}"}
        for i, label in enumerate(labels, 1)
    ]
    row = outbox.queue_text(
        session,
        contact,
        "satisfaction_question",
        kind="notice",
        buttons=buttons,
    )
    outbox.state_of(session, contact).pending_satisfaction_case_id = case.id
    session.flush()
    signals.wake("outbox")
    return row


def transcript(session: Session, contact: Contact, limit: int = 200) -> list[TranscriptLine]:
    """The conversation so far (person, bot, operator), oldest first."""
    ins = session.scalars(
        select(InboundMessage)
        .where(InboundMessage.contact_id == contact.id, InboundMessage.kind != "system")
        .order_by(InboundMessage.id.desc())
        .limit(limit)
    ).all()
    outs = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact.id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    lines = [
        TranscriptLine(
            at=m.received_at,
            direction="in",
            text=m.text if m.text is not None else (f"[{m.media_type}]" if m.media_type else None),
            sender="contact",
            channel=m.channel,
            status=m.status,
        )
        for m in ins
    ] + [
        TranscriptLine(
            at=m.created_at,
            direction="out",
            text=m.text,
            sender=m.sender,
            channel=m.channel,
            status=m.status,
        )
        for m in outs
    ]
    lines.sort(key=lambda line: line.at)
    return lines[-limit:]


# --- notify and erasure hooks -------------------------------------------------


def notify_sender(
    session: Session, contact: Contact, template: str, params: dict[str, str]
) -> None:
    """feedback_api.notify: a templated text in the contact's language."""
    send_template(session, contact, template, **params)


def erase_contact(session: Session, contact: Contact) -> None:
    """Delete my data: message texts and addresses go; rows stay without text."""
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.contact_id == contact.id)
        .values(text=None, payload=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.contact_id == contact.id, OutboxMessage.status.in_(("queued", "sending"))
        )
        .values(status="failed", error="erased")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.contact_id == contact.id)
        .values(text=None, address=None, buttons=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ContactState)
        .where(ContactState.contact_id == contact.id)
        .values(last_menu=None)
        .execution_options(synchronize_session=False)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, (InboundMessage, OutboxMessage)) and obj.contact_id == contact.id:
            session.expire(obj)


# --- receiving ----------------------------------------------------------------


def receive_telegram(session: Session, data: Mapping[str, Any]) -> telegram.ParsedUpdate | None:
    """Store one Telegram update (webhook or polling). None: ignored or a redelivery."""
    parsed = telegram.parse_update(dict(data))
    if parsed is None:
        log.info("telegram update ignored (not a private chat or not handled)")
        return None
    row = inbound.store(
        session,
        inbound.Incoming(
            channel="telegram",
            external_id=parsed.external_id,
            address=parsed.address,
            kind=parsed.kind,
            text=parsed.text,
            payload=parsed.payload,
            media_type=parsed.media_type,
            member_status=parsed.member_status,
            start_payload=parsed.start_payload,
        ),
    )
    if row is None:
        log.info("telegram update redelivered; ignored")
        return None
    log.info("telegram %s stored as inbound %s", parsed.kind, row.id)
    return parsed


def receive_telegram_update(data: Mapping[str, Any]) -> telegram.ParsedUpdate | None:
    """Polling: its own session."""
    with get_sessionmaker()() as session:
        parsed = receive_telegram(session, data)
        session.commit()
    signals.wake("inbound")
    return parsed


def receive_sms(session: Session, form: Mapping[str, str]) -> InboundMessage | None:
    parsed = sms.parse_form(form)
    if parsed is None:
        return None
    row = inbound.store(
        session,
        inbound.Incoming(
            channel="sms",
            external_id=parsed.external_id,
            address=parsed.address,
            kind="text" if parsed.text else "media",
            text=parsed.text,
            media_type="mms" if parsed.text is None else None,
        ),
    )
    if row is None:
        log.info("sms redelivered; ignored")
    else:
        log.info("sms stored as inbound %s", row.id)
    return row
