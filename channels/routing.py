"""Routing a stored message: everything that does not need the assistant.

What must not wait is handled as the message is stored (`handle_now`: opt-out and opt-in
keywords). In the turn (channels.turns), `route_message()` decides the rest: a
disclosure is filed as a case at once, a satisfaction answer is recorded on its case, the
operator who has the conversation gets it, media gets a polite reply, and what is left is
the `Turn` for the assistant. `expire_idle_handoffs()` returns an idle chat to the
assistant.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import case_reference as references
from channels import signals, texts
from channels.conversation import resolve_callback, state_of
from channels.models import InboundMessage, OutboxMessage
from channels.outbox import queue_text
from channels.providers.base import Keywords, Received
from channels.render import menu_choice
from channels.sms import keyword
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.safeguarding.triage import triage
from feedback_api.settings import get_settings
from persian_text import guess_language, to_ascii_digits

log = logging.getLogger(__name__)

START_INTENT = "/greet"
SATISFACTION_PREFIX = "sat:"


def done(row: InboundMessage, route: str, status: str = "done") -> None:
    """The message is handled: how (its route) and when."""
    row.status = status
    row.route = route
    row.processed_at = utcnow()


def handle_now(
    session: Session, row: InboundMessage, contact: Contact, keywords: Keywords, received: Received
) -> None:
    """What must not wait for the queue: opting out and back in."""
    if received.opt is not None:
        contact.opted_out = received.opt == "out"
    if texts.is_language(received.language) and contact.language is None:
        contact.language = received.language
    if received.kind == "system":
        done(row, "system", "ignored")
        return
    word = keyword(received.text, keywords) if received.kind == "text" else None
    if word == "stop":
        contact.opted_out = True
        queue_text(session, contact, "stop_confirm", force=True, in_reply_to=row.id)
    elif word == "start":
        contact.opted_out = False
        queue_text(session, contact, "start_confirm", in_reply_to=row.id)
    else:
        return
    done(row, f"keyword:{word}")
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


@dataclass(frozen=True)
class Turn:
    """What the assistant gets for one message, and what storing its replies needs."""

    row_id: int
    claim: str
    contact_id: str
    sender: str
    message: str
    metadata: dict[str, Any]
    channel: str
    address: str | None
    language: str | None
    started_at: dt.datetime


def route_message(
    session: Session, row: InboundMessage, contact: Contact, claim: str
) -> Turn | None:
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
    elif row.text:
        # "1" answers the last menu on every channel (typed on Telegram too).
        payload = menu_choice(row.text, state.last_menu)

    # Every text a person types is checked for a disclosure first, whatever comes next.
    disclosure = _file_disclosure(session, row, contact) if payload is None else None

    if state.pending_satisfaction_case_id is not None and disclosure is None:
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
            done(row, "satisfaction")
            return None

    handoff = handoffs.current(session, contact)
    if handoff is not None and handoff.status == "active":
        row.handoff_id = handoff.id
        if disclosure is not None:
            # The operator's chat shows it masked; the person hears at once that it is safe.
            _confirm_disclosure(session, row, contact, disclosure)
        elif handoff.case_id is not None:
            row.case_id = handoff.case_id
            case = session.get(Case, handoff.case_id)
            if case is not None:
                body = row.text or f"[{row.media_type or row.kind}]"
                cases.add_message(session, case, "in", body, actor="contact")
        if row.kind == "media":
            _media_reply(session, row, contact)
        done(row, "operator", "operator")
        return None

    if row.kind == "media":
        _media_reply(session, row, contact)
        done(row, "media")
        return None
    if contact.opted_out:
        done(row, "opted_out", "ignored")
        return None

    if disclosure is not None:
        # The assistant gets what happened, never the words: it answers without questions.
        message = disclosure.payload
    else:
        message = START_INTENT if row.kind == "command" else payload or row.text or ""
    if not message.strip():
        done(row, "empty", "ignored")
        return None
    state.last_menu = None  # a menu answers one question only
    return Turn(
        row_id=row.id,
        claim=claim,
        contact_id=contact.id,
        sender=contact.pseudonym,
        message=message,
        # Never an address or a provider id in here. The guess (Dari or Farsi, from the
        # words typed) lets the first answer come in the person's language.
        metadata={
            "channel": contact.channel,
            "language": contact.language,
            "language_guess": guess_language(row.text or ""),
        },
        channel=contact.channel,
        address=contacts.address_of(contact),
        language=contact.language,
        started_at=utcnow(),
    )


@dataclass(frozen=True)
class _Disclosure:
    case: Case
    danger: bool

    @property
    def payload(self) -> str:
        """The Rasa message that stands for the disclosure: its intent, category and case."""
        intent = "need_protection" if self.case.category == "SAF" else "report_misconduct"
        entities = {"disclosure": self.case.category, "filed_reference": self.case.reference}
        if self.danger:
            entities["danger"] = "yes"
        return f"/{intent}{json.dumps(entities)}"


def _file_disclosure(session: Session, row: InboundMessage, contact: Contact) -> _Disclosure | None:
    """A case of the disclosure's category for a text that discloses; None otherwise."""
    if row.kind not in ("text", "edited") or not row.text:
        return None
    found = triage(row.text)
    if found.category is None:
        return None
    sensitive = found.sensitivity == "S3"
    data = CaseCreate(
        type=CaseType.report,
        category=found.category,
        topic="PRT" if sensitive else "GEN",
        channel=contact.channel,
        language=contact.language,
        description=row.text[:4000],
    )
    case, _new = cases.create_case(
        session,
        data,
        actor="gateway",
        contact=contact,
        client_key=f"disclosure:{row.channel}:{row.external_id}",
    )
    row.case_id = case.id
    log.info("inbound %s filed as a %s case", row.id, case.sensitivity)
    return _Disclosure(case, found.danger)


def _confirm_disclosure(
    session: Session, row: InboundMessage, contact: Contact, disclosure: _Disclosure
) -> None:
    case = disclosure.case
    if disclosure.danger:
        queue_text(session, contact, "emergency_numbers", in_reply_to=row.id, case_id=case.id)
    queue_text(
        session,
        contact,
        "disclosure_received",
        params={"reference": references.display(case.reference)},
        in_reply_to=row.id,
        case_id=case.id,
    )


def _last_activity(session: Session, handoff: Handoff) -> dt.datetime:
    """The latest of: the claim, the person's last message to the operator, the operator's."""
    heard = session.scalar(
        select(func.max(InboundMessage.received_at)).where(InboundMessage.handoff_id == handoff.id)
    )
    said = session.scalar(
        select(func.max(OutboxMessage.created_at)).where(
            OutboxMessage.contact_id == handoff.contact_id, OutboxMessage.kind == "operator"
        )
    )
    moments = [t for t in (handoff.claimed_at, heard, said) if t is not None]
    return max(moments) if moments else handoff.requested_at


def expire_idle_handoffs(session: Session, now: dt.datetime) -> int:
    """An active chat idle for handoff_idle_minutes returns to the assistant; the person is
    told. (An operator who walked away must not leave the person writing to no one.)"""
    idle = dt.timedelta(minutes=get_settings().handoff_idle_minutes)
    ended = 0
    for handoff in handoffs.active(session):
        if _last_activity(session, handoff) > now - idle:
            continue
        handoffs.end(session, handoff)
        contact = session.get(Contact, handoff.contact_id)
        if contact is not None:
            queue_text(session, contact, "handoff_idle", kind="notice")
        log.info("handoff %s idle: back to the assistant", handoff.id)
        ended += 1
    if ended:
        signals.wake("outbox")
    return ended


def _media_reply(session: Session, row: InboundMessage, contact: Contact) -> None:
    queue_text(
        session,
        contact,
        "media_unsupported",
        in_reply_to=row.id,
    )
