"""Erasing a deleted person's conversation from Rasa, once its turn has ended.

"Delete my data" usually arrives from an action in the middle of a Rasa turn,
and Rasa saves the conversation when the turn ends: erasing it during the turn
would let Rasa write it back. So the deletion only records a request
(ConversationErasure); the gateway erases right after that person's turn, and a
sweep takes requests that came from elsewhere (staff) once any turn in flight
must be over. Erasing replaces the conversation with nothing through Rasa's HTTP
API (any tracker store: the in-memory one of `make run` too) and, with
RASA_TRACKER_STORE_URL, also deletes the SQL store's rows, which Rasa's replace
leaves behind.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from functools import lru_cache

from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.orm import Session

from channels import dbthread
from channels.models import ConversationErasure
from channels.rasa_client import RasaClient, RasaUnavailable
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.safeguarding import retention
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)


def request_erasure(session: Session, contact: Contact) -> None:
    """The eraser hook of a deletion: remember to erase this conversation from Rasa."""
    exists = session.scalar(
        select(ConversationErasure.id).where(ConversationErasure.sender == contact.pseudonym)
    )
    if exists is None:
        session.add(ConversationErasure(sender=contact.pseudonym))


def request_stale(session: Session, before: dt.datetime) -> int:
    """Retention: the Rasa conversations of people not heard from since `before`."""
    stale = retention.stale_contacts(session, before)
    for contact in stale:
        request_erasure(session, contact)
        contact.transcript_purged_at = utcnow()
    return len(stale)


@lru_cache
def _engine(url: str) -> Engine:
    return create_engine(url)


def erase_sql_store(sender: str) -> None:
    url = get_settings().rasa_tracker_store_url
    if not url:
        return
    # Rasa's SQLTrackerStore: one table `events`, keyed by the sender id.
    with _engine(url).begin() as connection:
        connection.execute(text("DELETE FROM events WHERE sender_id = :sender"), {"sender": sender})


def _due(session: Session, sender: str | None, requested_before: dt.datetime | None) -> list[str]:
    query = select(ConversationErasure.sender)
    if sender is not None:
        query = query.where(ConversationErasure.sender == sender)
    if requested_before is not None:
        query = query.where(ConversationErasure.requested_at < requested_before)
    return list(session.scalars(query.order_by(ConversationErasure.id).limit(50)))


def _settle(session: Session, done: list[str], failed: list[str]) -> None:
    if done:
        session.execute(delete(ConversationErasure).where(ConversationErasure.sender.in_(done)))
    for row in session.scalars(
        select(ConversationErasure).where(ConversationErasure.sender.in_(failed))
    ):
        row.attempts += 1


async def erase_due(
    session: Session,
    rasa: RasaClient,
    *,
    sender: str | None = None,
    requested_before: dt.datetime | None = None,
) -> int:
    """Erase the requested conversations (one sender's, or those requested before a time)."""
    senders = await dbthread.phase(session, _due, sender, requested_before)
    done: list[str] = []
    failed: list[str] = []
    for name in senders:
        try:
            await rasa.erase(name)
            await asyncio.to_thread(erase_sql_store, name)
        except RasaUnavailable as exc:
            log.warning("conversation not erased from Rasa yet (%s); retrying later", exc)
            failed.append(name)
            continue
        done.append(name)
    if senders:
        await dbthread.phase(session, _settle, done, failed)
    return len(done)


def settled_before() -> dt.datetime:
    """Requests older than this cannot have a Rasa turn still running."""
    return utcnow() - dt.timedelta(seconds=get_settings().rasa_timeout_seconds + 5)
