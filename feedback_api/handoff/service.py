"""Requests to talk to a human, the queue they wait in, and the staff who take them.

Who may take or read a chat follows `cases.access`: a chat tied to a case goes to
whoever may see the case; others to the chat roles.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_api.audit import service as audit
from feedback_api.audit.models import AuditEntry
from feedback_api.cases import access
from feedback_api.cases.due import calendar
from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.errors import Conflict, NotFound
from feedback_api.handoff.models import Handoff
from feedback_api.messaging import GatewayUnavailable, Messaging
from feedback_api.taxonomy import Role
from feedback_api.users.models import User

# A rough average of one live chat, for the wait a person is told to expect.
MINUTES_PER_PERSON = 8
OPEN = ("waiting", "active")
# Roles that take live chats with no case behind them (and S0/S1 ones).
CHAT_ROLES = frozenset({Role.operator, Role.cfm_manager})
# Polls of an open chat re-read it every few seconds: one audit entry per reader and chat
# in this window is enough to say who read it when.
CHAT_AUDIT_WINDOW = dt.timedelta(minutes=5)


def current(session: Session, contact: Contact) -> Handoff | None:
    return session.scalar(
        select(Handoff).where(Handoff.contact_id == contact.id, Handoff.status.in_(OPEN))
    )


def request_human(
    session: Session, contact: Contact, reason: str | None, case: Case | None
) -> Handoff:
    handoff = current(session, contact)
    if handoff is None:
        handoff = Handoff(contact_id=contact.id, reason=reason, case_id=case.id if case else None)
        session.add(handoff)
        session.flush()
    elif case is not None and handoff.case_id is None:
        handoff.case_id = case.id
    return handoff


def position(session: Session, handoff: Handoff) -> int:
    """1 for the first person waiting; 0 once an operator has the chat."""
    if handoff.status != "waiting":
        return 0
    ahead = session.scalar(
        select(func.count()).where(
            Handoff.status == "waiting", Handoff.requested_at < handoff.requested_at
        )
    )
    return (ahead or 0) + 1


def queue_info(session: Session, handoff: Handoff) -> dict[str, object]:
    now = utcnow()
    cal = calendar()
    place = position(session, handoff)
    opening = cal.next_opening(now)
    wait = max(place - 1, 0) * MINUTES_PER_PERSON
    if not cal.is_open(now):
        wait += int((opening - now) / dt.timedelta(minutes=1))
    return {
        "status": handoff.status,
        "open_now": cal.is_open(now),
        "position": place,
        "expected_wait_minutes": wait,
        "next_opening": opening,
    }


def claim(session: Session, handoff: Handoff, user_id: int) -> Handoff:
    handoff.status = "active"
    handoff.claimed_by_id = user_id
    handoff.claimed_at = utcnow()
    return handoff


def end(session: Session, handoff: Handoff) -> Handoff:
    handoff.status = "ended"
    handoff.ended_at = utcnow()
    return handoff


def release(session: Session, handoff: Handoff) -> Handoff:
    """Back to the queue (at its place: requested_at is kept) for another operator."""
    handoff.status = "waiting"
    handoff.claimed_by_id = None
    handoff.claimed_at = None
    return handoff


def release_held_by(session: Session, user_id: int) -> list[Handoff]:
    """Every chat the user holds goes back to the queue (the user is leaving)."""
    held = list(
        session.scalars(
            select(Handoff).where(Handoff.status == "active", Handoff.claimed_by_id == user_id)
        )
    )
    for handoff in held:
        release(session, handoff)
    return held


def active(session: Session) -> list[Handoff]:
    return list(session.scalars(select(Handoff).where(Handoff.status == "active")))


# --- staff: who may take and read a chat -----------------------------------------


def may_take(user: User, linked: Case | None) -> bool:
    """A handoff for a case goes to whoever may see the case; others to the chat roles."""
    if linked is not None:
        return access.can_see(user.role, linked.sensitivity, linked.category)
    return Role(user.role) in CHAT_ROLES


def visible(
    session: Session, user: User, statuses: tuple[str, ...] = ("waiting",)
) -> list[tuple[Handoff, Case | None]]:
    rows = session.execute(
        select(Handoff, Case)
        .outerjoin(Case, Handoff.case_id == Case.id)
        .where(Handoff.status.in_(statuses))
        .order_by(Handoff.requested_at, Handoff.id)
    ).all()
    return [(h, c) for h, c in rows if may_take(user, c)]


def may_read(user: User, handoff: Handoff, linked: Case | None) -> bool:
    """Open chats go to whoever may take them; an ended one only to whoever held it and
    the CFM manager (and, when it is tied to a case, only if they may see that case)."""
    if not may_take(user, linked):
        return False
    if handoff.status in OPEN:
        return True
    return handoff.claimed_by_id == user.id or Role(user.role) is Role.cfm_manager


def get_for_user(session: Session, user: User, handoff_id: int, *, lock: bool = False) -> Handoff:
    """A chat the user may read; any other answers 404, like a case."""
    query = select(Handoff).where(Handoff.id == handoff_id)
    if lock:
        query = query.with_for_update()
    handoff = session.scalar(query)
    linked = session.get(Case, handoff.case_id) if handoff and handoff.case_id else None
    if handoff is None or not may_read(user, handoff, linked):
        raise NotFound("no such chat", code="handoff_not_found")
    if linked is not None and access.is_restricted(linked.sensitivity):
        audit.record(session, user=user, action="handoff.read", case_id=linked.id)
    return handoff


def case_visibility(session: Session, user: User) -> Callable[[int], bool]:
    """may_see(case_id) for the transcript's masking, by the rule of cases.access."""

    def may_see(case_id: int) -> bool:
        row = session.execute(
            select(Case.sensitivity, Case.category).where(Case.id == case_id)
        ).first()
        return row is not None and access.can_see(user.role, row.sensitivity, row.category)

    return may_see


def audit_read(session: Session, user: User, handoff: Handoff, contact: Contact) -> None:
    """Reading the chat of a person with an S2/S3 report is audited."""
    restricted = session.scalar(
        select(Case.id)
        .where(Case.contact_id == contact.id, Case.sensitivity.in_(("S2", "S3")))
        .limit(1)
    )
    if restricted is None:
        return
    recent = session.scalars(
        select(AuditEntry.detail)
        .where(
            AuditEntry.user_id == user.id,
            AuditEntry.action == "chat.read",
            AuditEntry.at > utcnow() - CHAT_AUDIT_WINDOW,
        )
        .order_by(AuditEntry.id.desc())
        .limit(50)
    )
    if any(detail.get("handoff") == handoff.id for detail in recent):
        return
    audit.record(
        session, user=user, action="chat.read", case_id=handoff.case_id, handoff=handoff.id
    )


# --- staff: taking, handing back and ending a chat ---------------------------------


def claim_for(session: Session, user: User, handoff_id: int) -> Handoff:
    """Take a waiting chat; a chat another operator already holds answers 409."""
    handoff = get_for_user(session, user, handoff_id, lock=True)
    if handoff.status == "active" and handoff.claimed_by_id == user.id:
        return handoff
    if handoff.status != "waiting":
        raise Conflict("this chat is no longer waiting", code="handoff_taken")
    claim(session, handoff, user.id)
    session.flush()
    return handoff


def take_over(session: Session, user: User, handoff_id: int) -> Handoff:
    """A CFM manager takes any open chat, from the queue or from the colleague who holds it."""
    if Role(user.role) != Role.cfm_manager:
        raise NotFound("no such chat", code="handoff_not_found")
    handoff = get_for_user(session, user, handoff_id, lock=True)
    if handoff.status not in OPEN:
        raise Conflict("this chat has ended", code="handoff_ended")
    previous = handoff.claimed_by_id
    claim(session, handoff, user.id)
    audit.record(session, user=user, action="handoff.take", handoff=handoff.id, held_by=previous)
    session.flush()
    return handoff


def release_by(session: Session, user: User, handoff_id: int) -> Handoff:
    """Put a live chat back in the queue: its holder, or a CFM manager for any chat."""
    handoff = get_for_user(session, user, handoff_id, lock=True)
    mine = handoff.claimed_by_id == user.id
    if handoff.status != "active" or not (mine or Role(user.role) == Role.cfm_manager):
        raise Conflict("only an active chat, by its holder or a CFM manager", code="not_yours")
    previous = handoff.claimed_by_id
    release(session, handoff)
    audit.record(session, user=user, action="handoff.release", handoff=handoff.id, held_by=previous)
    session.flush()
    return handoff


def held_by(session: Session, user: User, handoff_id: int) -> tuple[Handoff, Contact]:
    """The chat the user holds now (to write in or end); any other answers 409."""
    handoff = get_for_user(session, user, handoff_id)
    contact = session.get(Contact, handoff.contact_id)
    if handoff.status != "active" or handoff.claimed_by_id != user.id or contact is None:
        raise Conflict("claim the chat first", code="not_your_chat")
    return handoff, contact


def reply(session: Session, messaging: Messaging, user: User, handoff_id: int, text: str) -> None:
    """The holder's message to the person (GatewayUnavailable: 503)."""
    _handoff, contact = held_by(session, user, handoff_id)
    messaging.send_text(session, contact, text, kind="operator", sender=f"operator:{user.username}")


def end_by(
    session: Session,
    messaging: Messaging,
    user: User,
    handoff_id: int,
    *,
    goodbye: Callable[[str | None], str],
) -> Handoff:
    """The holder ends the chat: the assistant answers again, and the person is told so
    (`goodbye(language)` is the sentence; without a gateway the chat still ends)."""
    handoff, contact = held_by(session, user, handoff_id)
    end(session, handoff)
    session.flush()
    with contextlib.suppress(GatewayUnavailable):
        messaging.send_text(session, contact, goodbye(contact.language))
    return handoff
