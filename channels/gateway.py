"""The channel gateway as the service sees it: `ChannelGateway`, its Messaging port.

feedback_api.main gives one to the app when it is created; the console, the case and
contact domains and retention reach people and the gateway's tables only through it
(feedback_api/messaging.py). Sends queue in the outbox and flush; the caller commits.
Receiving (webhooks, Telegram polling) stores through `receive`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from channels import conversation, inbound, outbox, rasa_tracker, routing, sending, signals, texts
from channels.models import ContactState, InboundMessage, OutboxMessage
from channels.providers import registry
from channels.providers.base import Event, StatusUpdate
from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact
from feedback_api.db import get_sessionmaker
from feedback_api.handoff.models import Handoff
from feedback_api.messaging import Line, Undelivered
from feedback_api.settings import Settings, get_settings

log = logging.getLogger(__name__)

KINDS = ("reply", "operator", "notice", "bulk")


def send_text(
    session: Session,
    contact: Contact,
    text: str,
    *,
    kind: str = "reply",
    sender: str = "bot",
    buttons: list[dict[str, str]] | None = None,
    case_id: int | None = None,
) -> OutboxMessage:
    """Queue a message to the person (kind reply|operator|notice|bulk), about a case or not."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    row = outbox.queue(
        session,
        contact=contact,
        text=text,
        kind=kind,
        sender=sender,
        buttons=buttons,
        case_id=case_id,
    )
    signals.wake("outbox")
    return row


def send_template(
    session: Session, contact: Contact, template: str, *, case_id: int | None = None, **params: str
) -> OutboxMessage:
    """A sentence of channels/texts in the contact's language."""
    row = outbox.queue_text(
        session, contact, template, params=params, kind="notice", case_id=case_id
    )
    signals.wake("outbox")
    return row


def ask_satisfaction(session: Session, contact: Contact, case: Case) -> OutboxMessage:
    """The 1-5 question; the answer is recorded on the case instead of going to the assistant."""
    labels = texts.options("satisfaction_options", contact.language)
    buttons = [
        {"title": label, "payload": f"{routing.SATISFACTION_PREFIX}{i}"}
        for i, label in enumerate(labels, 1)
    ]
    row = outbox.queue_text(
        session,
        contact,
        "satisfaction_question",
        kind="notice",
        buttons=buttons,
        case_id=case.id,
    )
    conversation.state_of(session, contact).pending_satisfaction_case_id = case.id
    session.flush()
    signals.wake("outbox")
    return row


def undelivered(session: Session, case: Case, limit: int = 20) -> list[Undelivered]:
    """Messages to the person about this case that did not and will not go out, newest
    first (only this case's: another case's may be one the reader may not see)."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.case_id == case.id,
            OutboxMessage.status.in_(("undeliverable", "failed")),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    return [
        Undelivered(
            at=row.created_at,
            text=row.text,
            sender=row.sender,
            status=row.status,
            reason=row.error or "",
        )
        for row in rows
    ]


def transcript(
    session: Session,
    contact: Contact,
    handoff: Handoff,
    *,
    may_see: Callable[[int], bool],
    context: int | None = None,
) -> list[Line]:
    """What a live chat needs, oldest first: the handoff's messages and the `context`
    lines before it (CHAT_CONTEXT_LINES), never the person's whole history.

    A line tied to a case that `may_see(case_id)` refuses is masked: a disclosure and
    the replies to it, an outcome of a restricted case.
    """
    if context is None:
        context = get_settings().chat_context_lines
    start, end = handoff.requested_at, handoff.ended_at
    ins = _window(session, InboundMessage, InboundMessage.received_at, contact, start, end, context)
    outs = _window(session, OutboxMessage, OutboxMessage.created_at, contact, start, end, context)
    replied = {m.id: m.case_id for m in ins}
    missing = {m.in_reply_to for m in outs if m.in_reply_to and m.in_reply_to not in replied}
    if missing:
        replied.update(
            session.execute(
                select(InboundMessage.id, InboundMessage.case_id).where(
                    InboundMessage.id.in_(missing)
                )
            ).tuples()
        )
    verdicts: dict[int, bool] = {}

    def hidden(case_id: int | None) -> bool:
        if case_id is None:
            return False
        if case_id not in verdicts:
            verdicts[case_id] = not may_see(case_id)
        return verdicts[case_id]

    lines = [
        Line(
            at=m.received_at,
            direction="in",
            text=m.text if m.text is not None else (f"[{m.media_type}]" if m.media_type else None),
            sender="contact",
            channel=m.channel,
            status=m.status,
            masked=hidden(m.case_id),
        )
        for m in ins
    ] + [
        Line(
            at=m.created_at,
            direction="out",
            text=m.text,
            sender=m.sender,
            channel=m.channel,
            status=m.status,
            masked=hidden(m.case_id) or hidden(replied.get(m.in_reply_to or 0)),
        )
        for m in outs
    ]
    lines.sort(key=lambda line: line.at)
    before = [line for line in lines if line.at < start][-context:] if context else []
    return [
        replace(line, text=None) if line.masked else line
        for line in before + [line for line in lines if line.at >= start]
    ]


Row = TypeVar("Row", InboundMessage, OutboxMessage)


def _window(
    session: Session,
    model: type[Row],
    at: InstrumentedAttribute[dt.datetime],
    contact: Contact,
    start: dt.datetime,
    end: dt.datetime | None,
    context: int,
) -> list[Row]:
    """The rows of the handoff's time span, and the last `context` rows before it."""
    own = model.contact_id == contact.id
    if model is InboundMessage:
        own = own & (InboundMessage.kind != "system")
    during = select(model).where(own, at >= start)
    if end is not None:
        during = during.where(at <= end)
    rows = list(session.scalars(during.order_by(at)))
    if context:
        earlier = select(model).where(own, at < start).order_by(at.desc()).limit(context)
        rows = list(reversed(session.scalars(earlier).all())) + rows
    return rows


# --- erasure and retention ----------------------------------------------------


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


def erase_case_messages(session: Session, case: Case) -> None:
    """A case's S3 purge: the disclosure's texts and the replies to it go too."""
    tied = select(InboundMessage.id).where(InboundMessage.case_id == case.id)
    session.execute(
        update(OutboxMessage)
        .where((OutboxMessage.case_id == case.id) | OutboxMessage.in_reply_to.in_(tied))
        .values(text=None, buttons=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.case_id == case.id)
        .values(text=None, payload=None)
        .execution_options(synchronize_session=False)
    )


def purge_old_messages(session: Session, before: dt.datetime) -> int:
    """Retention: texts of messages older than `before`, unless their case is still open
    or closed since (then they go with the case's own horizon)."""
    kept_cases = select(Case.id).where((Case.closed_at.is_(None)) | (Case.closed_at >= before))
    purged = 0
    for model, at in (
        (InboundMessage, InboundMessage.received_at),
        (OutboxMessage, OutboxMessage.created_at),
    ):
        result = session.execute(
            update(model)
            .where(
                at < before,
                model.text.is_not(None),
                model.case_id.is_(None) | model.case_id.not_in(kept_cases),
            )
            .values(text=None)
            .execution_options(synchronize_session=False)
        )
        purged += result.rowcount or 0  # type: ignore[attr-defined]
    return purged


# --- receiving ----------------------------------------------------------------


def receive(session: Session, source: inbound.Source, events: Sequence[Event]) -> int:
    """Store what a provider reported: messages (deduplicated) and delivery reports.
    Returns how many new messages were stored."""
    stored = 0
    for event in events:
        if isinstance(event, StatusUpdate):
            sending.record_status(session, source.name, event)
            continue
        row = inbound.store(session, source, event)
        if row is None:
            log.info("%s message redelivered; ignored", source.name)
            continue
        stored += 1
        log.info("%s %s stored as inbound %s", source.name, event.kind, row.id)
    return stored


def receive_in_own_session(source: inbound.Source, events: Sequence[Event]) -> None:
    """`receive` outside a request (Telegram polling), committed in a session of its own."""
    with get_sessionmaker()() as session:
        receive(session, source, events)
        session.commit()
    signals.wake("inbound")


class ChannelGateway:
    """feedback_api.messaging.Messaging, by the channel gateway, with its providers."""

    available = True

    def __init__(self, settings: Settings) -> None:
        self.providers = registry.build(settings)

    def send_text(
        self,
        session: Session,
        contact: Contact,
        text: str,
        *,
        kind: str = "notice",
        sender: str = "system",
        case: Case | None = None,
    ) -> str:
        row = send_text(
            session, contact, text, kind=kind, sender=sender, case_id=case.id if case else None
        )
        return row.status

    def send_template(
        self,
        session: Session,
        contact: Contact,
        template: str,
        *,
        case: Case | None = None,
        **params: str,
    ) -> None:
        send_template(session, contact, template, case_id=case.id if case else None, **params)

    def ask_satisfaction(self, session: Session, contact: Contact, case: Case) -> None:
        ask_satisfaction(session, contact, case)

    def transcript(
        self,
        session: Session,
        contact: Contact,
        handoff: Handoff,
        may_see: Callable[[int], bool],
    ) -> list[Line]:
        return transcript(session, contact, handoff, may_see=may_see)

    def undelivered(self, session: Session, case: Case) -> list[Undelivered]:
        return undelivered(session, case)

    def erase_contact(self, session: Session, contact: Contact) -> None:
        erase_contact(session, contact)
        rasa_tracker.request_erasure(session, contact)

    def erase_case_messages(self, session: Session, case: Case) -> None:
        erase_case_messages(session, case)

    def purge_transcripts(self, session: Session, before: dt.datetime) -> int:
        return purge_old_messages(session, before) + rasa_tracker.request_stale(session, before)
