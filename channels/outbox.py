"""The one durable outbox: every reply, operator message, notice and bulk send.

`queue()` writes a row (text encrypted, the address copied from the vault and
encrypted); `deliver_due()` sends what is due: per contact in order, replies
before bulk, within the rate limits, retrying transient failures with backoff
(Telegram's retry_after honoured), never to an opted-out contact. Both take a
Session so tests run them inside the rolled-back test transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from channels import dbthread, render, texts
from channels.models import KIND_PRIORITY, CallbackPayload, ContactState, OutboxMessage
from channels.transports import Outgoing, RetryLater, Transport, Undeliverable, describe
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)
SIM_PREFIX = "sim:"


def transport_for(channel: str, address: str | None) -> str:
    """The simulator's people have "sim:" addresses and get the web transport."""
    if address and address.startswith(SIM_PREFIX):
        return "web"
    return channel


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s ... up to 10 minutes."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def _callback_data(session: Session, payload: str) -> str:
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
        clean.append({"title": title, "payload": payload, "data": _callback_data(session, payload)})
    transport = transport_for(channel, address)
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
        next_attempt_at=utcnow(),
    )
    if channel == "sms":
        body = render.sms_menu(text, clean, language)
        row.segments = render.check_sms_length(body, source=template or kind)
    if address is None:
        row.status = "failed"
        row.error = "no address (expired or erased)"
    session.add(row)
    if contact is not None and clean:
        # The last buttons shown: an SMS reply "1" selects from them; a Telegram
        # button press is shown in the transcript by its title.
        state_of(session, contact).last_menu = [
            {"title": b["title"], "payload": b["payload"]} for b in clean
        ]
    session.flush()
    return row


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens: dict[str, float] = {}
        self.stamp: dict[str, float] = {}

    def available(self, key: str, now: float) -> float:
        tokens = self.tokens.get(key, self.burst)
        last = self.stamp.get(key, now)
        return min(self.burst, tokens + (now - last) * self.rate)

    def take(self, key: str, cost: float, now: float) -> bool:
        tokens = self.available(key, now)
        if tokens < min(cost, self.burst):
            return False
        self.tokens[key] = tokens - cost
        self.stamp[key] = now
        return True


@dataclass
class Limits:
    """Per-transport overall rate and per-chat rate (Telegram ~30/s and ~1/s per chat)."""

    overall: dict[str, TokenBucket] = field(default_factory=dict)
    per_chat: dict[str, TokenBucket] = field(default_factory=dict)
    clock: Any = time.monotonic

    @classmethod
    def from_settings(cls) -> Limits:
        s = get_settings()
        return cls(
            overall={
                "telegram": TokenBucket(s.telegram_rate_per_second, s.telegram_rate_per_second),
                "sms": TokenBucket(s.sms_rate_per_second, max(1.0, s.sms_rate_per_second)),
            },
            per_chat={"telegram": TokenBucket(s.telegram_chat_rate_per_second, 3.0)},
        )

    def allow(self, transport: str, chat: str, cost: float) -> bool:
        now = self.clock()
        overall = self.overall.get(transport)
        chat_bucket = self.per_chat.get(transport)
        if overall is not None and overall.available(transport, now) < min(cost, overall.burst):
            return False
        if chat_bucket is not None and not chat_bucket.take(chat, 1, now):
            return False
        if overall is not None:
            overall.take(transport, cost, now)
        return True


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


def _due_rows(session: Session, now: dt.datetime, batch: int) -> list[OutboxMessage]:
    """Due rows, the oldest unsent one per contact only, replies before bulk."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            or_(
                OutboxMessage.status == "queued",
                (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(batch * 10)
    ).all()
    seen: set[str] = set()
    due: list[OutboxMessage] = []
    for row in rows:
        key = row.contact_id or f"row:{row.id}"
        if key in seen:
            continue
        seen.add(key)
        if row.next_attempt_at <= now:
            due.append(row)
    due.sort(key=lambda r: (r.priority, r.id))
    return due[:batch]


def _finish(row: OutboxMessage) -> None:
    """Once a message has left: blank the address; a contact erased meanwhile keeps no text."""
    row.address = None
    row.lease_until = None
    if row.contact_id is None:
        row.text = None


@dataclass(frozen=True)
class _Claimed:
    row: OutboxMessage
    transport: str
    message: Outgoing


def _claim_due(
    session: Session,
    transports: Mapping[str, Transport],
    limits: Limits | None,
    now: dt.datetime,
    batch: int,
) -> list[_Claimed]:
    """Mark what is due as "sending" (leased); fail what can never go."""
    claimed: list[_Claimed] = []
    for row in _due_rows(session, now, batch):
        contact = session.get(Contact, row.contact_id) if row.contact_id else None
        if contact is not None and contact.opted_out and not row.force:
            row.status, row.error = "failed", "opted out"
            _finish(row)
            continue
        address = row.address or (contacts.address_of(contact) if contact else None)
        if address is None:
            row.status, row.error = "failed", "no address (expired or erased)"
            _finish(row)
            continue
        if transports.get(row.transport) is None:
            continue
        cost = float(row.segments or 1)
        if limits is not None and not limits.allow(row.transport, address, cost):
            continue
        row.status = "sending"
        row.lease_until = now + LEASE
        row.attempts += 1
        claimed.append(
            _Claimed(
                row=row,
                transport=row.transport,
                message=Outgoing(
                    outbox_id=row.id,
                    channel=row.channel,
                    address=address,
                    text=row.text or "",
                    language=row.language,
                    buttons=list(row.buttons or []),
                ),
            )
        )
    return claimed


def _record_results(session: Session, claimed: list[_Claimed], results: list[object]) -> None:
    settings = get_settings()
    done_at = utcnow()
    for item, result in zip(claimed, results, strict=True):
        row = item.row
        if isinstance(result, RetryLater):
            if row.attempts >= settings.outbox_max_attempts:
                row.status, row.error = "failed", result.reason[:200]
                _finish(row)
            else:
                delay = (
                    dt.timedelta(seconds=result.retry_after)
                    if result.retry_after is not None
                    else backoff(row.attempts)
                )
                row.status, row.error = "queued", result.reason[:200]
                row.next_attempt_at = done_at + delay
                row.lease_until = None
            log.info("outbox %s: retry later (%s)", row.id, result.reason)
        elif isinstance(result, Undeliverable):
            row.status, row.error = "failed", result.reason[:200]
            _finish(row)
            if result.opted_out and row.contact_id:
                contact = session.get(Contact, row.contact_id)
                if contact is not None:
                    contact.opted_out = True
            log.info("outbox %s: undeliverable (%s)", row.id, result.reason)
        else:
            row.status = "sent"
            row.provider_id = str(result) if result is not None else None
            row.sent_at = done_at
            row.error = None
            _finish(row)


async def deliver_due(
    session: Session,
    transports: Mapping[str, Transport],
    limits: Limits | None = None,
    *,
    now: dt.datetime | None = None,
    batch: int = 20,
) -> int:
    """Send what is due; returns the number of rows attempted.

    The database work runs in worker threads, each phase committed there (channels.dbthread):
    no transaction (on SQLite: the write lock) is held while talking to a provider, and the
    event loop never waits for the database.
    """
    claimed = await dbthread.phase(session, _claim_due, transports, limits, now or utcnow(), batch)
    if not claimed:
        return 0

    async def attempt(item: _Claimed) -> object:
        try:
            return await transports[item.transport].send(item.message)
        except (RetryLater, Undeliverable) as exc:
            return exc
        except Exception as exc:  # a bug or an unknown library error: retry, keep the row
            log.exception("outbox %s: unexpected send error", item.message.outbox_id)
            return RetryLater(describe(exc))

    results = list(await asyncio.gather(*(attempt(item) for item in claimed)))
    await dbthread.phase(session, _record_results, claimed, results)
    return len(claimed)


TWILIO_STATUS = {
    "accepted": "queued",
    "queued": "queued",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


def record_status(
    session: Session, provider_id: str, status: str, error_code: str | None
) -> OutboxMessage | None:
    """A Twilio status callback; 21610 marks the contact opted out."""
    row = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.provider_id == provider_id, OutboxMessage.transport == "sms"
        )
    )
    if row is None:
        return None
    mapped = TWILIO_STATUS.get(status.lower())
    if mapped == "delivered":
        row.status = "delivered"
        row.delivered_at = utcnow()
    elif mapped == "failed":
        row.status = "failed"
        row.error = f"twilio {status} {error_code or ''}".strip()
    elif mapped == "sent" and row.status not in ("delivered", "failed"):
        row.status = "sent"
    if error_code == "21610" and row.contact_id:
        contact = session.get(Contact, row.contact_id)
        if contact is not None:
            contact.opted_out = True
    session.flush()
    return row
