"""The one durable outbox: every reply, operator message, notice and bulk send.

`queue()` writes a row (text encrypted, the address copied from the vault and
encrypted) on the route it will leave by (`route`); channels.sending sends what is due.
Both take a Session so tests run them inside the rolled-back test transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from channels import render, texts
from channels.conversation import callback_data, state_of
from channels.models import KIND_PRIORITY, ContactState, InboundMessage, OutboxMessage
from channels.providers.registry import configured, starting_route
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.settings import get_settings

SIM_PREFIX = "sim:"
# Media counted in SMS segments: SMS, and phone contacts (texted by SMS).
SMS_MEDIA = ("sms", "phone")


# What answers the person in a conversation; anything else the service starts itself.
CONVERSATION_KINDS = ("reply", "operator")


def route(
    session: Session,
    contact: Contact | None,
    channel: str,
    address: str | None,
    *,
    kind: str,
    in_reply_to: int | None,
) -> str:
    """The transport of a message. What answers the person (the assistant's replies, an
    operator's) goes back through the provider they wrote in through; SMS the service
    starts itself (case updates, closing the loop, texts to a person who called) goes
    through SMS_PROVIDER's route. The simulator's people ("sim:" addresses) get the web."""
    if address and address.startswith(SIM_PREFIX):
        return "web"
    if in_reply_to is not None:
        answered = session.get(InboundMessage, in_reply_to)
        if answered is not None:
            return answered.transport
    state = session.get(ContactState, contact.id) if contact is not None else None
    if kind in CONVERSATION_KINDS and state is not None and state.transport:
        return state.transport
    return starting_route(channel, get_settings())


def phone_route(contact: Contact | None, transport: str) -> str | None:
    """Why a phone contact (logged from a call) cannot get a text, or None: by SMS it can.

    A person who called the hotline is texted only with their consent, and only where an
    SMS route is configured; otherwise the message is undeliverable, at once.
    """
    if not configured(transport, get_settings()):
        return f"no SMS route: {transport} is not configured"
    if contact is None or not contact.callback_consent:
        return "no consent to be contacted"
    return None


def queue(
    session: Session,
    *,
    contact: Contact | None,
    text: str,
    kind: str = "reply",
    sender: str = "bot",
    buttons: Sequence[Mapping[str, Any]] | None = None,
    channel: str | None = None,
    address: str | None = None,
    language: str | None = None,
    template: str | None = None,
    force: bool = False,
    in_reply_to: int | None = None,
    case_id: int | None = None,
) -> OutboxMessage:
    """Queue one message. Without `address`, the contact's vault address is copied now."""
    if kind not in KIND_PRIORITY:
        raise ValueError(f"unknown kind {kind}")
    channel = channel or (contact.channel if contact else None)
    if channel is None:
        raise ValueError("a channel or a contact is needed")
    if address is None and contact is not None:
        address = contacts.address_of(contact)
    if language is None and contact is not None:
        language = contact.language
    clean: list[dict[str, str]] = []
    for button in buttons or []:
        title = str(button.get("title", ""))
        payload = str(button.get("payload", title))
        clean.append({"title": title, "payload": payload, "data": callback_data(session, payload)})
    transport = route(session, contact, channel, address, kind=kind, in_reply_to=in_reply_to)
    unreachable = phone_route(contact, transport) if channel == "phone" else None
    row = OutboxMessage(
        contact_id=contact.id if contact else None,
        channel=channel,
        transport=transport,
        language=language,
        kind=kind,
        priority=KIND_PRIORITY[kind],
        sender=sender,
        template=template,
        text=text,
        buttons=clean or None,
        address=address,
        force=force,
        in_reply_to=in_reply_to,
        case_id=case_id,
        next_attempt_at=utcnow(),
    )
    if channel in SMS_MEDIA:
        body = render.sms_menu(text, clean, language)
        row.segments = render.check_sms_length(body, source=template or kind)
    if address is None:
        row.status = "failed"
        row.error = "no address (expired or erased)"
    elif unreachable is not None:
        row.status, row.error = "undeliverable", unreachable
    session.add(row)
    if contact is not None and clean:
        # The last buttons shown: an SMS reply "1" selects from them; a Telegram
        # button press is shown in the transcript by its title.
        state_of(session, contact).last_menu = [
            {"title": b["title"], "payload": b["payload"]} for b in clean
        ]
    session.flush()
    return row


def queue_text(
    session: Session,
    contact: Contact,
    template: str,
    *,
    params: Mapping[str, str] | None = None,
    kind: str = "reply",
    **options: Any,
) -> OutboxMessage:
    """Queue a sentence of channels/texts in the contact's language, from the system."""
    return queue(
        session,
        contact=contact,
        text=texts.text(template, contact.language, **(params or {})),
        kind=kind,
        sender="system",
        template=template,
        **options,
    )
