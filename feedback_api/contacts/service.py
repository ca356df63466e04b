"""Pseudonymous contacts, the encrypted address vault, consent and erasure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.contacts.models import Contact, VaultEntry
from feedback_api.crypto import pseudonym
from feedback_api.db import utcnow
from feedback_api.errors import NotFound
from feedback_api.settings import get_settings

# The channel part of the pseudonym input: "tg:123456", "tel:+989121234567".
SCHEMES = {"telegram": "tg", "sms": "tel", "phone": "tel", "web": "web"}

Eraser = Callable[[Session, Contact], None]
# Other modules (channels, handoff) register what they must wipe for a contact.
ERASERS: list[Eraser] = []


def register_eraser(eraser: Eraser) -> Eraser:
    ERASERS.append(eraser)
    return eraser


def pseudonym_for(channel: str, address: str) -> str:
    return pseudonym(SCHEMES[channel], address)


def ensure_contact(session: Session, channel: str, address: str) -> Contact:
    """The contact of an address, its address kept in the vault for the conversation window."""
    contact = get_or_create(session, pseudonym_for(channel, address), channel)
    keep_address(session, contact, address)
    return contact


def get_or_create(session: Session, key: str, channel: str) -> Contact:
    contact = session.scalar(select(Contact).where(Contact.pseudonym == key))
    if contact is None:
        # The first two messages of a person can arrive at once (a retried delivery):
        # the unique pseudonym lets one insert win and the other read it.
        try:
            with session.begin_nested():
                contact = Contact(pseudonym=key, channel=channel)
                session.add(contact)
        except IntegrityError:
            contact = session.scalar(select(Contact).where(Contact.pseudonym == key))
            if contact is None:
                raise
    contact.last_seen_at = utcnow()
    return contact


def find(session: Session, key: str) -> Contact | None:
    return session.scalar(select(Contact).where(Contact.pseudonym == key))


def by_pseudonym(session: Session, key: str) -> Contact:
    contact = find(session, key)
    if contact is None:
        raise NotFound("unknown contact", code="unknown_contact")
    return contact


def keep_address(session: Session, contact: Contact, address: str) -> None:
    horizon = utcnow() + dt.timedelta(days=get_settings().conversation_retention_days)
    if contact.vault is None:
        contact.vault = VaultEntry(address=address, retain_until=horizon)
    else:
        contact.vault.address = address
        contact.vault.retain_until = max(contact.vault.retain_until, horizon)


def address_of(contact: Contact) -> str | None:
    vault = contact.vault
    if vault is None or vault.retain_until < utcnow():
        return None
    return vault.address


def set_consent(
    session: Session, contact: Contact, callback: bool, preferred_operator_gender: str | None
) -> None:
    contact.callback_consent = callback
    contact.consent_at = utcnow()
    contact.preferred_operator_gender = preferred_operator_gender
    if not callback:
        # Without consent the address only lives for the conversation window.
        horizon = utcnow() + dt.timedelta(days=get_settings().conversation_retention_days)
        if contact.vault is not None:
            contact.vault.retain_until = min(contact.vault.retain_until, horizon)


def extend_for_followup(contact: Contact, until: dt.datetime) -> None:
    """With consent, keep the address until the loop is closed plus the retention period."""
    if contact.callback_consent and contact.vault is not None:
        contact.vault.retain_until = max(contact.vault.retain_until, until)


def erase(session: Session, contact: Contact) -> None:
    """Delete my data: the address and every message text go; anonymous case figures stay."""
    for eraser in ERASERS:
        eraser(session, contact)
    now = utcnow()
    case_ids = select(Case.id).where(Case.contact_id == contact.id)
    session.execute(
        update(TimelineEntry)
        .where(
            TimelineEntry.case_id.in_(case_ids),
            TimelineEntry.kind.in_(("message_in", "message_out", "created")),
        )
        .values(body=None, redacted_at=now)
    )
    session.execute(
        update(Case)
        .where(Case.contact_id == contact.id)
        .values(description=None, contact_id=None, content_purged_at=now, updated_at=now)
    )
    session.delete(contact)
    session.flush()


def purge_expired_addresses(session: Session) -> int:
    expired = session.scalars(select(VaultEntry).where(VaultEntry.retain_until < utcnow())).all()
    for entry in expired:
        session.delete(entry)
    return len(expired)
