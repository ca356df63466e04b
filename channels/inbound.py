"""Inbound messages: stored first, before the webhook is answered.

`store()` writes the message (text encrypted) before anything else happens,
deduplicated by the provider's id, and handles at once what must not wait (opt-in and
opt-out: channels.routing.handle_now). The rest waits, status "pending", for the inbound
worker (channels.turns), which takes each person's messages in order.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels import signals
from channels.conversation import state_of
from channels.models import InboundMessage
from channels.providers.base import Keywords, Received
from channels.routing import handle_now
from feedback_api.contacts import service as contacts
from feedback_api.db import utcnow


class Source(Protocol):
    """Where a message came in: a provider, or the simulator."""

    @property
    def name(self) -> str:
        """The transport replies go back through."""
        ...

    @property
    def medium(self) -> str: ...

    @property
    def keywords(self) -> Keywords: ...


def store(session: Session, source: Source, received: Received) -> InboundMessage | None:
    """Store the message; None when this provider id was stored before (a redelivery)."""
    exists = session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.channel == source.medium,
            InboundMessage.external_id == received.external_id,
        )
    )
    if exists is not None:
        return None
    row = InboundMessage(
        channel=source.medium,
        transport=source.name,
        external_id=received.external_id,
        kind=received.kind,
        text=received.text,
        payload=received.payload,
        media_type=received.media_type,
        status="pending",
        received_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    contact = contacts.ensure_contact(session, source.medium, received.address)
    row.contact_id = contact.id
    # Replies and notices go back the way the person last wrote.
    state_of(session, contact).transport = source.name
    handle_now(session, row, contact, source.keywords, received)
    session.flush()
    if row.status == "pending":
        signals.hint("inbound", contact.id)
    return row
