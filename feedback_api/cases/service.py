"""Cases: creation (idempotent), due times, the state machine, notes, assignment, access."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api import notify
from feedback_api.audit import service as audit
from feedback_api.business_calendar import BusinessCalendar
from feedback_api.cases import access
from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.cases.schemas import CaseCreate, CaseFilters
from feedback_api.cases.state_machine import CLOSED, FIRST_ACTION, Status, allowed_moves, can_move
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.errors import Conflict, Forbidden, NotFound, Unprocessable
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role, Sensitivity, load_taxonomy
from feedback_api.users.models import User

LOWERING_ROLES = {
    Role.cfm_manager,
    Role.psea_focal_point,
    Role.protection_focal_point,
    Role.data_protection_officer,
}


@lru_cache
def status_labels() -> dict[str, dict[str, str]]:
    path = Path(__file__).with_name("status_labels.yml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def calendar() -> BusinessCalendar:
    settings = get_settings()
    return BusinessCalendar(
        timezone=settings.business_timezone,
        weekdays=frozenset(settings.business_days),
        start=settings.business_start,
        end=settings.business_end,
        holidays=frozenset(settings.holidays),
    )


def compute_due_times(case: Case) -> None:
    category = load_taxonomy().category(case.category)
    cal = calendar()
    case.ack_due_at = cal.due(case.created_at, category.ack_hours, category.clock)
    case.act_due_at = cal.due(case.created_at, category.act_hours, category.clock)
    case.close_due_at = cal.due(case.created_at, category.close_hours, category.clock)


def next_due(case: Case) -> dt.datetime | None:
    if case.status in CLOSED:
        return None
    if case.acknowledged_at is None and case.ack_due_at:
        return case.ack_due_at
    if case.first_action_at is None and case.act_due_at:
        return case.act_due_at
    return case.close_due_at


def is_overdue(case: Case, now: dt.datetime | None = None) -> bool:
    due = next_due(case)
    return due is not None and due < (now or utcnow())


def _new_reference(session: Session) -> str:
    while True:
        reference = references.generate()
        if not session.scalar(select(Case.id).where(Case.reference == reference)):
            return reference


def effective_sensitivity(category: str, requested: str | None) -> str:
    default = load_taxonomy().category(category).sensitivity
    if requested is None:
        return default.value
    return max(default, Sensitivity(requested), key=lambda s: s.rank).value


def create_case(
    session: Session,
    data: CaseCreate,
    *,
    actor: str,
    contact: Contact | None = None,
    user: User | None = None,
    client_key: str | None = None,
    notify_contact: bool = False,
) -> tuple[Case, bool]:
    """A new case, or the existing one for the same client_key (idempotent)."""
    if client_key:
        existing = session.scalar(select(Case).where(Case.client_key == client_key))
        if existing is not None:
            _check_same_contact(existing, contact)
            return existing, False
    now = utcnow()
    case = Case(
        reference=_new_reference(session),
        client_key=client_key,
        type=data.type.value,
        category=data.category,
        topic=data.topic,
        sensitivity=effective_sensitivity(data.category, data.sensitivity),
        channel=data.channel,
        language=data.language,
        province=data.province,
        description=data.description,
        contact_id=contact.id if contact else None,
        created_by=actor,
        preferred_operator_gender=data.preferred_operator_gender,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    compute_due_times(case)
    case.timeline.append(
        TimelineEntry(
            actor=actor,
            user_id=user.id if user else None,
            kind="created",
            at=now,
            to_status=Status.NEW.value,
            data={"channel": data.channel},
        )
    )
    if client_key:
        # Two deliveries of the same key at once: the unique index lets one win.
        try:
            with session.begin_nested():
                session.add(case)
        except IntegrityError:
            existing = session.scalar(select(Case).where(Case.client_key == client_key))
            if existing is None:
                raise
            _check_same_contact(existing, contact)
            return existing, False
    else:
        session.add(case)
        session.flush()
    if user is not None and access.is_restricted(case.sensitivity):
        audit.record(session, user=user, action="case.create", case_id=case.id)
    if contact is not None:
        close_due = case.close_due_at or now + dt.timedelta(days=30)
        contacts.extend_for_followup(
            contact,
            close_due + dt.timedelta(days=get_settings().followup_retention_days_after_close),
        )
        if notify_contact:
            notify.send(
                session, contact, "case_reference", reference=references.display(case.reference)
            )
    return case, True


def _check_same_contact(case: Case, contact: Contact | None) -> None:
    if contact is not None and case.contact_id not in (None, contact.id):
        raise Conflict("this client_key belongs to another contact", code="client_key_reused")


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
        ) & Case.status.not_in([s.value for s in CLOSED])
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


def change_status(
    session: Session,
    case: Case,
    target: Status,
    *,
    actor: str,
    user: User | None,
    reason: str | None = None,
) -> Case:
    if not can_move(case.status, target, case.sensitivity):
        raise Conflict(
            f"a case cannot move from {case.status} to {target.value}", code="illegal_transition"
        )
    now = utcnow()
    previous = case.status
    case.status = target.value
    case.status_changed_at = now
    case.updated_at = now
    if case.acknowledged_at is None:
        case.acknowledged_at = now
    if target in FIRST_ACTION and case.first_action_at is None:
        case.first_action_at = now
    if target in CLOSED:
        case.closed_at = now
        case.close_reason = reason or target.value.lower()
        if case.first_action_at is None:
            case.first_action_at = now
    if target is Status.CLOSED_LOOP:
        case.loop_closed_at = now
        case.loop_closed_channel = case.channel
    case.timeline.append(
        TimelineEntry(
            actor=actor,
            user_id=user.id if user else None,
            kind="status_change",
            at=now,
            from_status=previous,
            to_status=target.value,
            body=reason,
        )
    )
    if user is not None and access.is_restricted(case.sensitivity):
        audit.record(
            session,
            user=user,
            action="case.status",
            case_id=case.id,
            from_status=previous,
            to_status=target.value,
        )
    if target is Status.CLOSED_REFERRED and case.sensitivity == "S3":
        purge_content(case, now)
    session.flush()
    return case


def purge_content(case: Case, now: dt.datetime) -> None:
    """S3: once the referral is confirmed only a stub stays (date, category, referral)."""
    case.description = None
    case.content_purged_at = now
    for entry in case.timeline:
        if entry.body is not None:
            entry.body = None
            entry.redacted_at = now


def assign(session: Session, case: Case, assignee: User | None, *, user: User) -> Case:
    if assignee is not None and not access.can_see(assignee.role, case.sensitivity, case.category):
        raise Conflict(f"{assignee.username} may not see this case", code="assignee_not_entitled")
    case.assignee_id = assignee.id if assignee else None
    case.updated_at = utcnow()
    case.timeline.append(
        TimelineEntry(
            actor=f"user:{user.username}",
            user_id=user.id,
            kind="assignment",
            data={"assignee": assignee.username if assignee else None},
        )
    )
    if access.is_restricted(case.sensitivity):
        audit.record(
            session,
            user=user,
            action="case.assign",
            case_id=case.id,
            assignee=assignee.username if assignee else None,
        )
    session.flush()
    return case


def add_note(session: Session, case: Case, text: str, *, user: User) -> TimelineEntry:
    entry = TimelineEntry(actor=f"user:{user.username}", user_id=user.id, kind="note", body=text)
    case.timeline.append(entry)
    case.updated_at = utcnow()
    if access.is_restricted(case.sensitivity):
        audit.record(session, user=user, action="case.note", case_id=case.id)
    session.flush()
    return entry


def add_message(
    session: Session, case: Case, direction: str, text: str, *, actor: str, user: User | None = None
) -> TimelineEntry:
    kind = "message_in" if direction == "in" else "message_out"
    entry = TimelineEntry(actor=actor, user_id=user.id if user else None, kind=kind, body=text)
    case.timeline.append(entry)
    case.updated_at = utcnow()
    session.flush()
    return entry


def change_sensitivity(
    session: Session, case: Case, target: Sensitivity, reason: str, *, user: User
) -> Case:
    """Raise freely; lower only by a manager or focal point, never below the category's level."""
    current = Sensitivity(case.sensitivity)
    if target.rank < current.rank:
        if Role(user.role) not in LOWERING_ROLES:
            raise Forbidden(
                "only a manager or focal point may lower sensitivity", code="cannot_lower"
            )
        floor = load_taxonomy().category(case.category).sensitivity
        if target.rank < floor.rank:
            raise Conflict(
                f"{case.category} cases are at least {floor.value}", code="below_category"
            )
    case.sensitivity = target.value
    case.updated_at = utcnow()
    case.timeline.append(
        TimelineEntry(
            actor=f"user:{user.username}",
            user_id=user.id,
            kind="sensitivity",
            body=reason,
            data={"from": current.value, "to": target.value},
        )
    )
    audit.record(
        session,
        user=user,
        action="case.sensitivity",
        case_id=case.id,
        from_level=current.value,
        to_level=target.value,
    )
    session.flush()
    return case


def record_satisfaction(
    session: Session, case: Case, score: int, *, actor: str = "contact"
) -> None:
    """The person's answer (1-5) to the question sent after closing."""
    if not 1 <= score <= 5:
        raise Unprocessable("satisfaction is 1 to 5", code="bad_score")
    case.satisfaction = score
    case.updated_at = utcnow()
    case.timeline.append(TimelineEntry(actor=actor, kind="satisfaction", data={"score": score}))
    session.flush()


def moves_for(case: Case) -> list[Status]:
    return sorted(allowed_moves(case.status, case.sensitivity), key=lambda s: list(Status).index(s))
