"""Cases: creation (idempotent), the state machine, the timeline, notes, assignment.

Due times are in `cases.due`, look-ups in `cases.queries`, erasure in `cases.erasure`,
and what meets other
domains (a message to the person, a phone call) in `cases.flows`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.audit import service as audit
from feedback_api.cases import access, erasure, notices
from feedback_api.cases.due import compute_due_times
from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.cases.state_machine import CLOSED, FIRST_ACTION, Status, allowed_moves, can_move
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.errors import Conflict, Forbidden, Unprocessable
from feedback_api.messaging import Messaging
from feedback_api.safeguarding.triage import triage
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role, Sensitivity, load_taxonomy
from feedback_api.users import service as users
from feedback_api.users.models import User

LOWERING_ROLES = {
    Role.cfm_manager,
    Role.psea_focal_point,
    Role.protection_focal_point,
    Role.data_protection_officer,
}


def add_timeline(
    case: Case,
    kind: str,
    *,
    user: User | None = None,
    actor: str | None = None,
    at: dt.datetime | None = None,
    body: str | None = None,
    data: dict[str, object] | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> TimelineEntry:
    """The one way onto a case's history; the case counts as changed at that moment.

    `actor` defaults to the user ("user:<name>"); "bot", "contact" and "test" act alone.
    """
    if actor is None:
        assert user is not None, "a timeline entry needs an actor or a user"
        actor = f"user:{user.username}"
    now = at or utcnow()
    entry = TimelineEntry(
        actor=actor,
        user_id=user.id if user else None,
        kind=kind,
        at=now,
        body=body,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )
    case.timeline.append(entry)
    case.updated_at = now
    return entry


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
    messaging: Messaging | None = None,
) -> tuple[Case, bool]:
    """A new case, or the existing one for the same client_key (idempotent).

    `notify_contact` (a case delivered late from the action server's spool) sends the
    person its reference, through `messaging`."""
    if client_key:
        existing = session.scalar(select(Case).where(Case.client_key == client_key))
        if existing is not None:
            _check_same_contact(existing, contact)
            return existing, False
    data = triaged(data)
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
    add_timeline(
        case,
        "created",
        user=user,
        actor=actor,
        at=now,
        to_status=Status.NEW.value,
        data={"channel": data.channel},
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
        if notify_contact and messaging is not None and messaging.available:
            messaging.send_template(
                session,
                contact,
                "case_reference",
                case=case,
                reference=references.display(case.reference),
            )
    return case, True


# What the assistant files when it knows only the intent ("I want to report a staff
# member", "I need protection"): the description's triage may name the category better.
INTENT_DEFAULTS = frozenset({"MIS", "SAF"})


def triaged(data: CaseCreate) -> CaseCreate:
    """A description that discloses moves the case to the disclosure's category.

    Routing only goes up: to a more sensitive category, or, at the same level, from
    the assistant's intent default to what the text says. A complaint form in which
    someone describes sexual exploitation never becomes an ordinary complaint.
    """
    found = triage(data.description)
    if found.category is None or found.category == data.category:
        return data
    given = load_taxonomy().category(data.category).sensitivity
    said = load_taxonomy().category(found.category).sensitivity
    if said.rank < given.rank or (said == given and data.category not in INTENT_DEFAULTS):
        return data
    topic = "PRT" if said is Sensitivity.S3 else data.topic
    return data.model_copy(
        update={"category": found.category, "topic": topic, "type": CaseType.report}
    )


def _check_same_contact(case: Case, contact: Contact | None) -> None:
    if contact is not None and case.contact_id not in (None, contact.id):
        raise Conflict("this client_key belongs to another contact", code="client_key_reused")


def change_status(
    session: Session,
    case: Case,
    target: Status,
    *,
    actor: str,
    user: User | None,
    messaging: Messaging,
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
    add_timeline(
        case,
        "status_change",
        user=user,
        actor=actor,
        at=now,
        from_status=previous,
        to_status=target.value,
        body=reason,
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
    if target in CLOSED and case.sensitivity == "S3":
        erasure.purge_content(session, case, now, messaging)
    session.flush()
    # Whoever moved it (console, staff API), the person hears what they are owed.
    notices.after_status_change(session, messaging, case)
    return case


def close_loop(session: Session, case: Case, *, user: User, messaging: Messaging) -> None:
    """After the outcome went to the person: RESPONDED (if needed), then CLOSED_LOOP."""
    actor = f"user:{user.username}"
    if Status.CLOSED_LOOP not in moves_for(case):
        change_status(session, case, Status.RESPONDED, actor=actor, user=user, messaging=messaging)
    change_status(session, case, Status.CLOSED_LOOP, actor=actor, user=user, messaging=messaging)


def assign(session: Session, case: Case, username: str | None, *, user: User) -> Case:
    """Give the case to the active user `username` (None or "": to nobody)."""
    assignee = users.active_user(session, username) if username else None
    if assignee is not None and not access.can_see(assignee.role, case.sensitivity, case.category):
        raise Conflict(f"{assignee.username} may not see this case", code="assignee_not_entitled")
    case.assignee_id = assignee.id if assignee else None
    add_timeline(
        case, "assignment", user=user, data={"assignee": assignee.username if assignee else None}
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
    entry = add_timeline(case, "note", user=user, body=text)
    if access.is_restricted(case.sensitivity):
        audit.record(session, user=user, action="case.note", case_id=case.id)
    session.flush()
    return entry


def add_message(
    session: Session, case: Case, direction: str, text: str, *, actor: str, user: User | None = None
) -> TimelineEntry:
    kind = "message_in" if direction == "in" else "message_out"
    entry = add_timeline(case, kind, user=user, actor=actor, body=text)
    session.flush()
    return entry


def set_referral(session: Session, case: Case, text: str, *, user: User) -> None:
    """Where and to whom the case was referred (stored encrypted in cases.referral)."""
    case.referral = text
    add_timeline(case, "referral", user=user)
    if access.is_restricted(case.sensitivity):
        audit.record(session, user=user, action="case.referral", case_id=case.id)
    session.flush()


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
    add_timeline(
        case,
        "sensitivity",
        user=user,
        body=reason,
        data={"from": current.value, "to": target.value},
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
    add_timeline(case, "satisfaction", actor=actor, data={"score": score})
    session.flush()


def moves_for(case: Case) -> list[Status]:
    return sorted(allowed_moves(case.status, case.sensitivity), key=lambda s: list(Status).index(s))
