"""Sending the outbox: what is due goes out, in order, within the rate limits.

`deliver_due()` sends per contact in order, replies before bulk, within each provider's
rate limits (`RateLimiter`), retrying transient failures with backoff (Telegram's
retry_after honoured), never to an opted-out contact. Rows are claimed with a lease, so
any number of processes may send (channels/leases.py). `record_status()` keeps the
providers' delivery reports.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from channels import dbthread, leases
from channels.models import UNSENT, OutboxMessage
from channels.providers.base import (
    Outgoing,
    Provider,
    RetryLater,
    StatusUpdate,
    Transport,
    Undeliverable,
    describe,
)
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)

# A crashed sender's "sending" rows go out again after this (longer than any send).
LEASE = dt.timedelta(seconds=120)
# Rows claimed at a time.
BATCH = 20


def backoff(attempts: int) -> dt.timedelta:
    """5 s, 10 s, 20 s ... up to 10 minutes."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


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
class RateLimiter:
    """Each provider's overall rate and per-chat rate (its `limits`)."""

    overall: dict[str, TokenBucket] = field(default_factory=dict)
    per_chat: dict[str, TokenBucket] = field(default_factory=dict)
    clock: Any = time.monotonic

    @classmethod
    def of(cls, providers: Mapping[str, Provider]) -> RateLimiter:
        limiter = cls()
        for name, provider in providers.items():
            limits = provider.limits
            limiter.overall[name] = TokenBucket(limits.per_second, limits.burst)
            if limits.per_chat_per_second is not None:
                limiter.per_chat[name] = TokenBucket(
                    limits.per_chat_per_second, limits.per_chat_burst
                )
        return limiter

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


def _is_due(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
    )


def _due_rows(session: Session, now: dt.datetime, batch: int) -> list[OutboxMessage]:
    """Each contact's oldest unsent row, when due: replies before bulk, longest waiting first.

    One row per contact a round: a contact with a long backlog takes one place, like
    everyone else, so it never delays another contact's reply; rows that can never go
    are settled (_claim_due), so no window of old rows can fill up and stop the rest.
    Rows another process is claiming right now are skipped (PostgreSQL), never waited for.
    """
    heads = (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.status.in_(UNSENT))
        .group_by(OutboxMessage.contact_id)
    )
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(heads), _is_due(now))
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )


def _contact_run(
    session: Session, contact_id: str, now: dt.datetime, batch: int
) -> list[OutboxMessage]:
    """One contact's unsent rows from the oldest, as long as each is due and free: sent in
    order right after a turn (a turn's replies, one after another)."""
    ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.contact_id == contact_id, OutboxMessage.status.in_(UNSENT))
            .order_by(OutboxMessage.id)
            .limit(batch)
        )
    )
    free = {
        row.id: row
        for row in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _is_due(now))
            .with_for_update(skip_locked=True)
        )
    }
    run: list[OutboxMessage] = []
    for row_id in ids:
        if row_id not in free:
            break  # the head is not due, or another worker has it: it goes first
        run.append(free[row_id])
    return run


def _expire(session: Session, now: dt.datetime) -> None:
    """No row waits for ever: what could not go out in time is marked failed."""
    hours = get_settings().outbox_expire_hours
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "queued",
            OutboxMessage.created_at < now - dt.timedelta(hours=hours),
        )
        .values(status="failed", error=f"expired: not sent within {hours} h", address=None)
        .execution_options(synchronize_session=False)
    )


def _settle_without_transport(session: Session, names: set[str]) -> None:
    """Rows for a transport this sender does not have (rows of old kinds) can never go."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(UNSENT), OutboxMessage.transport.not_in(names))
        .values(status="undeliverable", error="no transport for this channel", address=None)
        .execution_options(synchronize_session=False)
    )


def _finish(row: OutboxMessage) -> None:
    """Once a message has left: blank the address; a contact erased meanwhile keeps no text."""
    row.address = None
    row.lease_until = None
    if row.contact_id is None:
        row.text = None


@dataclass(frozen=True)
class Claimed:
    """A row marked "sending" by this worker, with what goes to the provider."""

    row: OutboxMessage
    transport: str
    message: Outgoing
    claim: str


class NotSent(Exception):
    """A contact's row not tried because one before it could not go (kept in order)."""


def _claim_due(
    session: Session,
    transports: Mapping[str, Transport],
    limits: RateLimiter | None,
    now: dt.datetime,
    batch: int,
    contact_id: str | None = None,
) -> list[Claimed]:
    """Mark what is due as "sending" (leased); settle what can never go."""
    if contact_id is None:
        _expire(session, now)
        _settle_without_transport(session, set(transports))
        rows = _due_rows(session, now, batch)
    else:
        rows = [
            r for r in _contact_run(session, contact_id, now, batch) if r.transport in transports
        ]
    claim = leases.new_claim()
    claimed: list[Claimed] = []
    for row in rows:
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
        cost = float(row.segments or 1)
        if limits is not None and not limits.allow(row.transport, address, cost):
            if contact_id is not None:
                break  # the rest of the contact's run waits behind this one
            continue
        row.status = "sending"
        row.lease_until = now + LEASE
        row.claimed_by = claim
        row.attempts += 1
        claimed.append(
            Claimed(
                row=row,
                claim=claim,
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


def _record_results(session: Session, claimed: list[Claimed], results: list[object]) -> None:
    settings = get_settings()
    done_at = utcnow()
    holders = {
        row_id: holder
        for row_id, holder in session.execute(
            select(OutboxMessage.id, OutboxMessage.claimed_by)
            .where(OutboxMessage.id.in_([item.row.id for item in claimed]))
            .with_for_update()
        )
    }
    for item, result in zip(claimed, results, strict=True):
        row = item.row
        if holders.get(row.id) != item.claim:
            # The lease ran out and another worker took the row: its result counts.
            log.warning("outbox %s: lease lost while sending", row.id)
            continue
        if isinstance(result, NotSent):
            row.status, row.lease_until, row.attempts = "queued", None, row.attempts - 1
        elif isinstance(result, RetryLater):
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
    limits: RateLimiter | None = None,
    *,
    now: dt.datetime | None = None,
    batch: int = BATCH,
    contact_id: str | None = None,
) -> int:
    """Send what is due (only `contact_id`'s, in order, when given); returns the number of
    rows attempted.

    The database work runs in worker threads, each phase committed there (channels.dbthread):
    no transaction (on SQLite: the write lock) is held while talking to a provider, and the
    event loop never waits for the database.
    """
    claimed = await dbthread.phase(
        session, _claim_due, transports, limits, now or utcnow(), batch, contact_id
    )
    if claimed:
        await send_claimed(session, transports, claimed, in_order=contact_id is not None)
    return len(claimed)


async def send_claimed(
    session: Session,
    transports: Mapping[str, Transport],
    claimed: list[Claimed],
    *,
    in_order: bool,
) -> None:
    """Hand claimed rows to their providers, then record the results (a committed phase).

    In order (one contact's rows): one after another, none past one that did not go;
    otherwise (one row per contact) all at once.
    """

    async def attempt(item: Claimed) -> object:
        try:
            return await transports[item.transport].send(item.message)
        except (RetryLater, Undeliverable) as exc:
            return exc
        except Exception as exc:  # a bug or an unknown library error: retry, keep the row
            log.exception("outbox %s: unexpected send error", item.message.outbox_id)
            return RetryLater(describe(exc))

    if not in_order:
        results = list(await asyncio.gather(*(attempt(item) for item in claimed)))
    else:
        results = []
        for item in claimed:
            blocked = bool(results) and isinstance(results[-1], RetryLater | NotSent)
            results.append(NotSent() if blocked else await attempt(item))
    await dbthread.phase(session, _record_results, claimed, results)


@dataclass
class ContactSender:
    """A contact's replies sent the moment its turn is stored: claimed inside the turn's
    own transaction (`claim`, no extra round trip to the database), then sent in order."""

    transports: Mapping[str, Transport]
    limits: RateLimiter | None = None

    def claim(self, session: Session, contact_id: str) -> list[Claimed]:
        session.flush()
        return _claim_due(session, self.transports, self.limits, utcnow(), BATCH, contact_id)

    async def send(self, session: Session, claimed: list[Claimed]) -> None:
        try:
            await send_claimed(session, self.transports, claimed, in_order=True)
        except Exception:
            # The rows stay claimed: the outbox loop sends them when their lease runs out.
            log.exception("outbox error after a turn")


def record_status(session: Session, transport: str, update: StatusUpdate) -> OutboxMessage | None:
    """A provider's delivery report on a message we sent (never undoes "delivered")."""
    row = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.provider_id == update.provider_id, OutboxMessage.transport == transport
        )
    )
    if row is None:
        return None
    if update.status == "delivered":
        row.status = "delivered"
        row.delivered_at = utcnow()
    elif update.status == "failed":
        row.status = "failed"
        row.error = (update.error or "failed")[:200]
    elif update.status == "sent" and row.status not in ("delivered", "failed"):
        row.status = "sent"
    if update.opted_out and row.contact_id:
        contact = session.get(Contact, row.contact_id)
        if contact is not None:
            contact.opted_out = True
    session.flush()
    return row
