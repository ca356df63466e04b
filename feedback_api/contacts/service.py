"""Pseudonymous contacts, the encrypted address vault, consent, unmasking and erasure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_api.audit import service as audit
from feedback_api.cases import access
from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact, VaultEntry
from feedback_api.crypto import pseudonym
from feedback_api.db import utcnow
from feedback_api.errors import NotFound
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role
from feedback_api.users.models import User

# The channel part of the pseudonym input: "tg:123456", "tel:+989121234567".
SCHEMES = {"telegram": "tg", "sms": "tel", "phone": "tel", "web": "web"}

# Roles that may unmask a consenting person's number on a case assigned to them.
REVEAL_ROLES = frozenset({Role.operator, Role.cfm_manager})

# Last seen and the conversation window move on in steps of this: one write a minute at
# most, not one per message (a flood of messages must not be a flood of updates).
SEEN_PRECISION = dt.timedelta(minutes=1)


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
    now = utcnow()
    if now - contact.last_seen_at > SEEN_PRECISION:
        contact.last_seen_at = now
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
        return
    # Written only when it changes (every message of a person comes through here).
    if contact.vault.address != address:
        contact.vault.address = address
    if horizon - contact.vault.retain_until > SEEN_PRECISION:
        contact.vault.retain_until = horizon


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
    """The contact itself, and with it its vault address and its handoffs."""
    session.delete(contact)
    session.flush()


def purge_expired_addresses(session: Session) -> int:
    expired = session.scalars(select(VaultEntry).where(VaultEntry.retain_until < utcnow())).all()
    for entry in expired:
        session.delete(entry)
    return len(expired)


# --- what staff see of a case's contact ------------------------------------------


def mask(address: str | None) -> str:
    """+98912•••••67: the country code and the last two digits only."""
    if not address:
        return ""
    if address.startswith("+") and len(address) > 6:
        return address[:4] + "•" * (len(address) - 6) + address[-2:]
    return "•" * max(len(address) - 2, 0) + address[-2:]


@dataclass(frozen=True)
class ContactView:
    channel: str
    masked: str
    consent: bool
    can_reveal: bool
    reason: str  # why the number cannot be shown: "", "restricted", "no_consent", "assign"
    language: str | None


def view_for(user: User, case: Case, contact: Contact | None) -> ContactView | None:
    """The case's contact as `user` may see it: masked, and whether they may unmask it."""
    if contact is None:
        return None
    address = address_of(contact)
    reason = ""
    if access.is_restricted(case.sensitivity):
        reason = "restricted"
    elif not contact.callback_consent:
        reason = "no_consent"
    elif Role(user.role) not in REVEAL_ROLES or case.assignee_id != user.id:
        reason = "assign"
    restricted = reason == "restricted"
    return ContactView(
        channel=contact.channel,
        masked="" if restricted else mask(address),
        consent=contact.callback_consent,
        can_reveal=not reason and address is not None,
        reason=reason,
        language=contact.language,
    )


def reveal(session: Session, user: User, case: Case) -> str:
    """The number of a consenting person, for the assigned operator; every reveal is audited.

    Anyone else, or no number to show, answers 404."""
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    view = view_for(user, case, contact)
    address = address_of(contact) if contact is not None else None
    if view is None or not view.can_reveal or address is None:
        raise NotFound("no number to show", code="no_number")
    audit.record(session, user=user, action="contact.reveal", case_id=case.id)
    return address
