"""Shared steps of the channel tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from channels.models import InboundMessage, OutboxMessage
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from tests.channels.conftest import ANDROID_KEY, TG_SECRET, TWILIO_TOKEN
from tests.channels.factories import android_headers, twilio_signature

SMS_URL = "https://feedback.example.org/webhooks/twilio/sms"
STATUS_URL = "https://feedback.example.org/webhooks/twilio/status"


def post_tg(client: TestClient, update: dict[str, Any], secret: str | None = TG_SECRET) -> Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/webhooks/telegram", json=update, headers=headers)


def post_sms(
    client: TestClient,
    form: dict[str, str],
    *,
    url: str = SMS_URL,
    path: str = "/webhooks/twilio/sms",
    signature: str | None = None,
) -> Response:
    sig = signature if signature is not None else twilio_signature(TWILIO_TOKEN, url, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": sig})


def post_android(
    client: TestClient, body: bytes, *, key: str = ANDROID_KEY, timestamp: int | None = None
) -> Response:
    return client.post(
        "/webhooks/android-sms", content=body, headers=android_headers(key, body, timestamp)
    )


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def contact_of(session: Session, channel: str, address: str) -> Contact:
    contact = contacts.find(session, contacts.pseudonym_for(channel, address))
    assert contact is not None
    return contact


def outbox_rows(session: Session, contact: Contact | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if contact is not None:
        query = query.where(OutboxMessage.contact_id == contact.id)
    return list(session.scalars(query).all())


def inbound_rows(session: Session) -> list[InboundMessage]:
    return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)).all())
