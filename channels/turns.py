"""The inbound worker's turns: per contact, in order, one message at a time.

`process_pending()` takes each contact whose oldest waiting message is due (a flooding
contact after everyone else, each at most at its rate), claims the message with a lease
(channels/leases.py), routes it (channels.routing), asks the assistant (Rasa) when it is
needed, and stores its replies in the outbox. When Rasa is down or slow the message
waits and the person gets one acknowledgement.

A turn costs the database two transactions around the call to Rasa: one claims and routes
the message, one stores the replies and claims them for sending (channels.sending
.ContactSender); each hop to a database thread and each commit sits between a person's
message and its answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from channels import dbthread, leases, rasa_tracker, signals
from channels.conversation import state_of
from channels.models import InboundMessage
from channels.outbox import SMS_MEDIA, queue, queue_text
from channels.rasa_client import RasaClient, RasaUnavailable, turn_id
from channels.routing import Turn, done, route_message
from channels.sending import Claimed, ContactSender
from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.ops import metrics
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)


def rasa_retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 * attempts, 15))


def contacts_with_pending(session: Session, now: dt.datetime, limit: int = 50) -> list[str]:
    """Contacts whose oldest waiting message is due, a flooding contact after everyone else.

    A contact with a backlog (more than inbound_flood_backlog messages waiting) is served
    after every other contact, and any contact at most at its rate (see _under_rate): all
    of a flood is stored, and taken at a bounded pace, never ahead of other people.
    """
    settings = get_settings()
    waiting = func.count(InboundMessage.id)
    rows = session.execute(
        select(InboundMessage.contact_id, func.min(InboundMessage.id))
        .where(InboundMessage.status == "pending", InboundMessage.contact_id.is_not(None))
        .group_by(InboundMessage.contact_id)
        .order_by(
            case((waiting > settings.inbound_flood_backlog, 1), else_=0),
            func.min(InboundMessage.id),
        )
        .limit(limit)
    ).all()
    if not rows:
        return []
    # Two more queries for all of them (this runs on every wake-up, flood or not).
    # A head another worker holds (leased) is not due here.
    next_at = dict(
        session.execute(
            select(InboundMessage.id, InboundMessage.next_attempt_at).where(
                InboundMessage.id.in_([first for _contact, first in rows]),
                leases.is_free(InboundMessage, utcnow()),
            )
        ).all()
    )
    handled = dict(
        session.execute(
            select(InboundMessage.contact_id, func.count(InboundMessage.id))
            .where(
                InboundMessage.contact_id.in_([contact for contact, _first in rows]),
                InboundMessage.processed_at > now - dt.timedelta(minutes=1),
            )
            .group_by(InboundMessage.contact_id)
        ).all()
    )
    return [
        contact_id
        for contact_id, first_id in rows
        if contact_id is not None
        and first_id in next_at
        and next_at[first_id] <= now
        and handled.get(contact_id, 0) < settings.inbound_contact_rate_per_minute
    ]


def _under_rate(session: Session, contact_id: str, now: dt.datetime) -> bool:
    """Fewer messages of this contact handled in the last minute than its rate allows."""
    handled = session.scalar(
        select(func.count(InboundMessage.id)).where(
            InboundMessage.contact_id == contact_id,
            InboundMessage.processed_at > now - dt.timedelta(minutes=1),
        )
    )
    return (handled or 0) < get_settings().inbound_contact_rate_per_minute


async def process_pending(
    session: Session,
    rasa: RasaClient,
    *,
    now: dt.datetime | None = None,
    sender: ContactSender | None = None,
) -> int:
    """Route every due waiting message, per contact in order. Returns messages handled.

    Database work runs in worker threads, each phase committed there (channels.dbthread);
    only the call to the assistant is awaited on the event loop.
    """
    now = now or utcnow()
    handled = 0
    for contact_id in await dbthread.phase(session, contacts_with_pending, now):
        handled += await process_contact(session, rasa, contact_id, now=now, sender=sender)
    return handled


def _next_pending(
    session: Session, contact_id: str, now: dt.datetime | None
) -> InboundMessage | None:
    """The contact's oldest waiting message, if it is due and the contact is under its rate."""
    row = session.scalar(
        select(InboundMessage)
        .where(InboundMessage.contact_id == contact_id, InboundMessage.status == "pending")
        .order_by(InboundMessage.id)
        .limit(1)
    )
    if row is None or row.next_attempt_at > (now or utcnow()):
        return None
    if row.lease_until is not None and row.lease_until >= utcnow():
        return None  # another worker has it
    if not _under_rate(session, contact_id, utcnow()):
        return None
    return row


async def process_contact(
    session: Session,
    rasa: RasaClient,
    contact_id: str,
    *,
    now: dt.datetime | None = None,
    sender: ContactSender | None = None,
) -> int:
    """The contact's due messages, one turn at a time; `sender` sends each turn's replies
    the moment they are stored (without it, the outbox loop is woken)."""
    handled = 0
    while True:
        started = await dbthread.phase(session, _start_next, contact_id, now, sender)
        if started is None:
            return handled
        if not await _run_turn(session, rasa, started, sender):
            return handled
        handled += 1


@dataclass(frozen=True)
class _Started:
    """A claimed message: the turn for the assistant, or replies already queued (None)."""

    turn: Turn | None
    # Claimed before (a lease that ran out): the turn may have reached Rasa already.
    retry: bool
    channel: str
    outgoing: list[Claimed]


def _start_next(
    session: Session, contact_id: str, now: dt.datetime | None, sender: ContactSender | None
) -> _Started | None:
    """Claim the contact's next due message and do everything before the assistant, in one
    transaction; None when nothing is due or another worker has the message."""
    row = _next_pending(session, contact_id, now)
    if row is None:
        return None
    retry = row.attempts > 0 or row.claimed_by is not None
    claim = leases.new_claim()
    claimed = leases.claim(session, row.id, claim)
    if claimed is None:
        return None
    contact = session.get(Contact, claimed.contact_id) if claimed.contact_id else None
    if contact is None:
        done(claimed, "erased", "ignored")
        return _Started(None, retry, claimed.channel, [])
    turn = route_message(session, claimed, contact, claim)
    if turn is not None:
        # The lease counts from the commit: routing (the first triage loads its model)
        # must not eat the time the turn has.
        leases.renew(claimed)
        return _Started(turn, retry, claimed.channel, [])
    return _Started(None, retry, claimed.channel, _claim_replies(session, contact_id, sender))


def _claim_replies(
    session: Session, contact_id: str, sender: ContactSender | None
) -> list[Claimed]:
    return sender.claim(session, contact_id) if sender is not None else []


def _finish_turn(
    session: Session,
    turn: Turn,
    replies: list[dict[str, Any]] | None,
    sender: ContactSender | None,
) -> list[Claimed] | None:
    """Store the replies (claimed for sending at once), or when to try again; None when
    the lease ran out meanwhile and another worker has the message (its turn counts, this
    one is dropped)."""
    row = leases.held(session, turn.row_id, turn.claim)
    if row is None:
        log.warning("message %s: lease lost during the turn; another worker has it", turn.row_id)
        return None
    row.lease_until = None
    if replies is None:
        row.attempts += 1
        row.next_attempt_at = utcnow() + rasa_retry_delay(row.attempts)
        return []
    _store_replies(session, row, turn, replies)
    return _claim_replies(session, turn.contact_id, sender)


async def _send(session: Session, outgoing: list[Claimed], sender: ContactSender | None) -> None:
    if sender is not None and outgoing:
        await sender.send(session, outgoing)
    else:  # nothing claimed (held back by a rate limit, or no sender): the outbox loop
        signals.wake("outbox")


async def _run_turn(
    session: Session, rasa: RasaClient, started: _Started, sender: ContactSender | None
) -> bool:
    """The rest of a claimed message's turn. False when it must wait (Rasa unavailable)
    or is no longer ours."""
    turn = started.turn
    if turn is None:
        await _send(session, started.outgoing, sender)
        return True
    began = time.monotonic()
    replies = await _ask_rasa(session, rasa, turn, retry=started.retry)
    outgoing = await dbthread.phase(session, _finish_turn, turn, replies, sender)
    if outgoing is None:
        return False
    if replies is not None:
        metrics.observe_turn(started.channel, time.monotonic() - began)
    await _send(session, outgoing, sender)
    # A deletion during this turn: Rasa has saved the conversation by now, erase it.
    await rasa_tracker.erase_due(session, rasa, sender=turn.sender)
    return replies is not None


def _acknowledge(session: Session, turn: Turn) -> None:
    """One "received, we will answer shortly" per wait (not from a worker whose lease ran out)."""
    contact = session.get(Contact, turn.contact_id)
    if contact is None or leases.held(session, turn.row_id, turn.claim) is None:
        return
    state = state_of(session, contact)
    if state.acknowledged_wait_at is not None:
        return
    state.acknowledged_wait_at = utcnow()
    queue_text(
        session,
        contact,
        "received_ack",
        in_reply_to=turn.row_id,
    )


async def _ask_rasa(
    session: Session, rasa: RasaClient, turn: Turn, *, retry: bool = False
) -> list[dict[str, Any]] | None:
    """The assistant's replies to the turn, or None when it must wait.

    A retry first asks the tracker whether the earlier attempt was handled after all (it
    timed out on our side only): then its replies are taken from there, and the message is
    not sent again (which could file a second case and would answer twice).
    """
    settings = get_settings()
    message_id = turn_id(turn.row_id)
    try:
        if retry and (earlier := await rasa.replies_to(turn.sender, message_id)) is not None:
            log.info("message %s was handled by an earlier attempt", turn.row_id)
            return earlier
    except RasaUnavailable as exc:
        metrics.count_rasa_error(exc.kind)
        log.info("assistant unavailable (%s); message %s waits", exc, turn.row_id)
        return None
    task = asyncio.ensure_future(rasa.send(turn.sender, turn.message, turn.metadata, message_id))
    try:
        done, _ = await asyncio.wait({task}, timeout=settings.rasa_ack_after_seconds)
        if not done:
            await dbthread.phase(session, _acknowledge, turn)
            signals.wake("outbox")
        return await task
    except RasaUnavailable as exc:
        metrics.count_rasa_error(exc.kind)
        log.info("assistant unavailable (%s); message %s waits", exc, turn.row_id)
        await dbthread.phase(session, _acknowledge, turn)
        signals.wake("outbox")
        return None


def _store_replies(
    session: Session, row: InboundMessage, turn: Turn, replies: list[dict[str, Any]]
) -> None:
    # The assistant's actions changed the contact meanwhile (language, or deleted it).
    session.expire_all()
    contact = session.get(Contact, turn.contact_id)
    language = contact.language if contact is not None else turn.language
    # A number answers the last menu shown: on SMS a turn numbers one menu only.
    last_menu = max((i for i, r in enumerate(replies) if r.get("buttons")), default=None)
    for index, reply in enumerate(replies):
        text = str(reply.get("text") or "")
        custom = reply.get("custom")
        if not text and isinstance(custom, dict) and isinstance(custom.get("text"), str):
            text = custom["text"]
        if reply.get("image"):
            text = (text + "\n" + str(reply["image"])).strip()
        buttons = [b for b in reply.get("buttons") or [] if isinstance(b, dict)]
        if turn.channel in SMS_MEDIA and index != last_menu:
            buttons = []
        if not text and not buttons:
            continue
        queue(
            session,
            contact=contact,
            text=text,
            kind="reply",
            sender="bot",
            buttons=buttons,
            channel=turn.channel,
            # Captured before the turn: a "your data is deleted" reply still goes out.
            address=turn.address,
            language=language,
            in_reply_to=turn.row_id,
        )
    if contact is not None:
        state_of(session, contact).acknowledged_wait_at = None
    if row.case_id is None:
        row.case_id = _case_filed_during(session, turn)
    done(row, "bot")


def _case_filed_during(session: Session, turn: Turn) -> int | None:
    """The case the assistant filed in this turn (the most sensitive one), if any.

    A contact's turns run one at a time, so a case of theirs created since the turn
    began came from this message: the message is tied to it, and a chat view masks it
    for whoever may not see that case.
    """
    return session.scalar(
        select(Case.id)
        .where(Case.contact_id == turn.contact_id, Case.created_at >= turn.started_at)
        .order_by(Case.sensitivity.desc(), Case.id.desc())
        .limit(1)
    )
