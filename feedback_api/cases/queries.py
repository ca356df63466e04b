"""Finding cases: for the person who filed them, for a staff user, for the queue.

Every staff look-up goes through `cases.access` (can_see / visible_filter) and audits
what it shows of S2/S3 cases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, defer

import case_reference as references
from feedback_api.audit import service as audit
from feedback_api.cases import access
from feedback_api.cases.due import next_due_expr
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseFilters
from feedback_api.cases.state_machine import CLOSED
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.errors import NotFound, Unprocessable
from feedback_api.users.models import User

CLOSED_VALUES = tuple(status.value for status in CLOSED)
QUEUE_FILTERS = ("category", "channel", "language", "province", "status")


def get_for_contact(session: Session, reference_text: str, contact_key: str) -> Case:
    """A status look-up from a channel: only the contact who filed the case gets an answer."""
    try:
        reference = references.parse(reference_text)
    except references.InvalidReference as exc:
        raise Unprocessable(str(exc), code=exc.code) from exc
    case = session.scalar(
        select(Case)
        .join(Contact, Case.contact_id == Contact.id)
        .where(Case.reference == reference, Contact.pseudonym == contact_key)
    )
    if case is None:
        raise NotFound("no case with this reference for this contact", code="case_not_found")
    return case


def open_for_contact(session: Session, contact: Contact) -> list[Case]:
    """The contact's cases that are not closed, the most recently changed first."""
    return list(
        session.scalars(
            select(Case)
            .where(Case.contact_id == contact.id, Case.status.not_in(CLOSED))
            .order_by(Case.updated_at.desc(), Case.id.desc())
        )
    )


def get_for_user(
    session: Session, user: User, reference_text: str, *, action: str = "case.read"
) -> Case:
    """A case the user may see; any other answers 404 (not 403), so references cannot be probed."""
    try:
        reference = references.parse(reference_text)
    except references.InvalidReference as exc:
        raise NotFound("case not found", code="case_not_found") from exc
    case = session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not access.can_see(user.role, case.sensitivity, case.category):
        raise NotFound("case not found", code="case_not_found")
    if access.is_restricted(case.sensitivity):
        audit.record(session, user=user, action=action, case_id=case.id)
    return case


def filtered_query(user: User, filters: CaseFilters) -> Select[Case]:
    query = select(Case).where(access.visible_filter(user.role))
    for name in ("status", "category", "topic", "channel", "language", "province"):
        value = getattr(filters, name)
        if value is not None:
            query = query.where(getattr(Case, name) == value)
    if filters.assignee is not None:
        query = query.join(User, Case.assignee_id == User.id).where(
            User.username == filters.assignee
        )
    if filters.overdue is not None:
        now = utcnow()
        overdue = or_(
            (Case.acknowledged_at.is_(None)) & (Case.ack_due_at < now),
            (Case.first_action_at.is_(None)) & (Case.act_due_at < now),
            (Case.closed_at.is_(None)) & (Case.close_due_at < now),
        ) & Case.status.not_in(CLOSED_VALUES)
        query = query.where(overdue if filters.overdue else ~overdue)
    return query


def list_for_user(session: Session, user: User, filters: CaseFilters) -> tuple[int, list[Case]]:
    query = filtered_query(user, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    cases = list(
        session.scalars(
            query.order_by(Case.created_at.desc(), Case.id.desc())
            .limit(filters.limit)
            .offset(filters.offset)
        )
    )
    for case in cases:
        if access.is_restricted(case.sensitivity):
            audit.record(session, user=user, action="case.list", case_id=case.id)
    return total, cases


def open_cases_query(user: User, filters: dict[str, str], *, mine: bool = False) -> Select[Any]:
    query = (
        select(Case)
        .options(defer(Case.description), defer(Case.referral))
        .where(access.visible_filter(user.role))
    )
    if filters.get("status"):
        query = query.where(Case.status == filters["status"])
    else:
        query = query.where(Case.status.not_in(CLOSED_VALUES))
    for name in QUEUE_FILTERS:
        if name != "status" and filters.get(name):
            query = query.where(getattr(Case, name) == filters[name])
    if mine:
        query = query.where(Case.assignee_id == user.id)
    return query


def queue_cases(
    session: Session,
    user: User,
    filters: dict[str, str],
    *,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Case]]:
    """Open cases the user may see, soonest due first (no due time last)."""
    query = open_cases_query(user, filters, mine=mine)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    due = next_due_expr()
    rows = list(
        session.scalars(
            query.order_by(due.is_(None), due, Case.created_at, Case.id).limit(limit).offset(offset)
        )
    )
    for row in rows:
        if access.is_restricted(row.sensitivity):
            audit.record(session, user=user, action="case.list", case_id=row.id, view="queue")
    return total, rows


def assignable_users(session: Session, case: Case) -> list[User]:
    """Active users who may see the case (an assignee must be entitled to it)."""
    users = session.scalars(
        select(User).where(User.is_active.is_(True)).order_by(User.username)
    ).all()
    return [u for u in users if access.can_see(u.role, case.sensitivity, case.category)]
