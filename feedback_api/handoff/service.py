"""Requests to talk to a human, and the queue they wait in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.cases.service import calendar
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.handoff.models import Handoff

# A rough average of one live chat, for the wait a person is told to expect.
MINUTES_PER_PERSON = 8
OPEN = ("waiting", "active")


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
