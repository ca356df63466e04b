"""What the gateway keeps of a conversation between messages.

A contact's state (`state_of`: the transport they last wrote through, the last menu
shown, a satisfaction question waiting, an acknowledgement given) and the payloads
behind buttons whose payload is too long for a provider's callback data.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels import render
from channels.models import CallbackPayload, ContactState
from feedback_api.contacts.models import Contact


def callback_data(session: Session, payload: str) -> str:
    if render.fits_callback(payload):
        return payload
    key = render.callback_key(payload)
    if session.scalar(select(CallbackPayload.id).where(CallbackPayload.key == key)) is None:
        try:
            with session.begin_nested():
                session.add(CallbackPayload(key=key, payload=payload[:1000]))
        except IntegrityError:
            pass
    return key


def resolve_callback(session: Session, data: str) -> str:
    """The payload behind a callback_data (a short key for long payloads)."""
    if data.startswith("k:"):
        payload = session.scalar(select(CallbackPayload.payload).where(CallbackPayload.key == data))
        return payload or data
    return data


def state_of(session: Session, contact: Contact) -> ContactState:
    state = session.get(ContactState, contact.id)
    if state is None:
        state = ContactState(contact_id=contact.id)
        session.add(state)
        session.flush()
    return state
