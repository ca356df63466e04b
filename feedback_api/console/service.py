"""What the console shows and does, on top of the case, contact and handoff services.

Visibility always comes from `cases.access` (can_see / visible_filter); this
module never decides on its own who may see a case.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session, defer

import case_reference as references
from feedback_api.audit import service as audit
from feedback_api.cases import access
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.cases.state_machine import CLOSED, Status
from feedback_api.console.schemas import PhoneForm
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.errors import Conflict, NotFound
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.taxonomy import Role
from feedback_api.users.models import User
from persian_text import to_ascii_digits

HERE = Path(__file__).resolve().parent
CLOSED_VALUES = tuple(status.value for status in CLOSED)
# Roles that take live chats with no case behind them (and S0/S1 ones).
CHAT_ROLES = frozenset({Role.operator, Role.cfm_manager})
# Roles that may unmask a consenting person's number on a case assigned to them.
REVEAL_ROLES = frozenset({Role.operator, Role.cfm_manager})
QUEUE_FILTERS = ("category", "channel", "language", "province", "status")


# --- SMS segments (docs/domain.md §4.4); static/sms.js applies the same rule ---

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_GSM7 = frozenset(GSM7_BASIC) - {"\x1b"}
_GSM7_EXT = frozenset(GSM7_EXTENSION)


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int


def sms_segments(text: str) -> Segments:
    """How many SMS parts a text takes: GSM-7 160/153, UCS-2 70/67."""
    if all(ch in _GSM7 or ch in _GSM7_EXT for ch in text):
        units = sum(2 if ch in _GSM7_EXT else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return Segments(encoding, units, 1 if units else 0, single)
    return Segments(encoding, units, math.ceil(units / multi), multi)


# --- ready texts -------------------------------------------------------------


@lru_cache
def closing_texts() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(
        (HERE / "texts" / "closing.yml").read_text(encoding="utf-8")
    )
    return data


def ready_texts(case_: Case) -> list[dict[str, str]]:
    """The closing texts for a case, in Farsi and Dari, its reference filled in."""
    ref = references.display(case_.reference)
    return [
        {
            "key": key,
            "label_fa": entry["label"]["fa"],
            "label_en": entry["label"]["en"],
            "fa": entry["fa"].format(ref=ref),
            "prs": entry["prs"].format(ref=ref),
        }
        for key, entry in closing_texts().items()
        if key != "chat_ended"
    ]


def chat_ended_text(language: str | None) -> str:
    entry = closing_texts()["chat_ended"]
    return str(entry["prs" if language == "prs" else "fa"])


# --- the queue -----------------------------------------------------------------


def next_due_expr() -> ColumnElement[Any]:
    """cases.service.next_due as SQL, to order the queue in the database."""
    return case(
        (and_(Case.acknowledged_at.is_(None), Case.ack_due_at.is_not(None)), Case.ack_due_at),
        (and_(Case.first_action_at.is_(None), Case.act_due_at.is_not(None)), Case.act_due_at),
        else_=Case.close_due_at,
    )


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


def may_take_handoff(user: User, linked: Case | None) -> bool:
    """A handoff for a case goes to whoever may see the case; others to the chat roles."""
    if linked is not None:
        return access.can_see(user.role, linked.sensitivity, linked.category)
    return Role(user.role) in CHAT_ROLES


def visible_handoffs(
    session: Session, user: User, statuses: tuple[str, ...] = ("waiting",)
) -> list[tuple[Handoff, Case | None]]:
    rows = session.execute(
        select(Handoff, Case)
        .outerjoin(Case, Handoff.case_id == Case.id)
        .where(Handoff.status.in_(statuses))
        .order_by(Handoff.requested_at, Handoff.id)
    ).all()
    return [(h, c) for h, c in rows if may_take_handoff(user, c)]


def get_handoff(session: Session, user: User, handoff_id: int, *, lock: bool = False) -> Handoff:
    query = select(Handoff).where(Handoff.id == handoff_id)
    if lock:
        query = query.with_for_update()
    handoff = session.scalar(query)
    linked = session.get(Case, handoff.case_id) if handoff and handoff.case_id else None
    if handoff is None or not may_take_handoff(user, linked):
        raise NotFound("no such chat", code="handoff_not_found")
    if linked is not None and access.is_restricted(linked.sensitivity):
        audit.record(session, user=user, action="handoff.read", case_id=linked.id)
    return handoff


def claim_handoff(session: Session, user: User, handoff_id: int) -> Handoff:
    """Take a waiting chat; a chat another operator already holds answers 409."""
    handoff = get_handoff(session, user, handoff_id, lock=True)
    if handoff.status == "active" and handoff.claimed_by_id == user.id:
        return handoff
    if handoff.status != "waiting":
        raise Conflict("this chat is no longer waiting", code="handoff_taken")
    handoffs.claim(session, handoff, user.id)
    session.flush()
    return handoff


def notifications(session: Session, user: User, since: dt.datetime) -> dict[str, Any]:
    """What a user should hear about: waiting handoffs they may take, new S3 cases they see."""
    waiting = visible_handoffs(session, user)
    s3 = list(
        session.execute(
            select(Case.reference, Case.category, Case.created_at)
            .where(
                access.visible_filter(user.role),
                Case.sensitivity == "S3",
                Case.created_at > since,
                Case.status.not_in(CLOSED_VALUES),
            )
            .order_by(Case.created_at)
            .limit(20)
        )
    )
    return {
        "waiting": [
            {"id": h.id, "requested_at": h.requested_at.isoformat()} for h, _case in waiting
        ],
        "new_s3": [
            {"reference": ref, "display": references.display(ref), "category": category}
            for ref, category, _at in s3
        ],
    }


# --- contacts: masking and unmasking -------------------------------------------


def mask(address: str | None) -> str:
    """+98912•••••67: the country code and the last two digits only."""
    if not address:
        return ""
    if address.startswith("+") and len(address) > 6:
        return address[:4] + "•" * (len(address) - 6) + address[-2:]
    return "•" * max(len(address) - 2, 0) + address[-2:]


@dataclass(frozen=True)
class ContactView:
    channel: str
    masked: str
    consent: bool
    can_reveal: bool
    reason: str  # why the number cannot be shown: "", "restricted", "no_consent", "assign"
    language: str | None


def contact_view(user: User, case_: Case, contact: Contact | None) -> ContactView | None:
    if contact is None:
        return None
    address = contacts.address_of(contact)
    reason = ""
    if access.is_restricted(case_.sensitivity):
        reason = "restricted"
    elif not contact.callback_consent:
        reason = "no_consent"
    elif Role(user.role) not in REVEAL_ROLES or case_.assignee_id != user.id:
        reason = "assign"
    restricted = reason == "restricted"
    return ContactView(
        channel=contact.channel,
        masked="" if restricted else mask(address),
        consent=contact.callback_consent,
        can_reveal=not reason and address is not None,
        reason=reason,
        language=contact.language,
    )


def reveal_address(session: Session, user: User, case_: Case) -> str:
    """The number of a consenting person, for the assigned operator; every reveal is audited."""
    contact = session.get(Contact, case_.contact_id) if case_.contact_id else None
    view = contact_view(user, case_, contact)
    if contact is None or view is None or not view.can_reveal:
        raise NotFound("no number to show", code="no_number")
    address = contacts.address_of(contact)
    if address is None:
        raise NotFound("no number to show", code="no_number")
    audit.record(session, user=user, action="contact.reveal", case_id=case_.id)
    return address


# --- phone numbers typed by an operator -----------------------------------------

_PHONE_JUNK = re.compile(r"[\s\-().\u200c\u200e\u200f]")


def normalise_phone(text: str) -> str | None:
    """E.164 from what an operator typed (Persian digits, 0912..., 0098..., +93...)."""
    digits = _PHONE_JUNK.sub("", to_ascii_digits(text.strip()))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+98" + digits[1:]
    elif digits.startswith("9") and len(digits) == 10:
        digits = "+98" + digits
    if not digits.startswith("+"):
        digits = "+" + digits
    if not digits[1:].isdigit() or not 8 <= len(digits) - 1 <= 15:
        return None
    return digits


def assignable_users(session: Session, case_: Case) -> list[User]:
    users = session.scalars(
        select(User).where(User.is_active.is_(True)).order_by(User.username)
    ).all()
    return [u for u in users if access.can_see(u.role, case_.sensitivity, case_.category)]


def since_default() -> dt.datetime:
    return utcnow() - dt.timedelta(minutes=5)


# --- case actions the console adds ----------------------------------------------


def set_referral(session: Session, case_: Case, text: str, *, user: User) -> None:
    """Where and to whom the case was referred (stored encrypted in cases.referral)."""
    case_.referral = text
    case_.updated_at = utcnow()
    case_.timeline.append(
        TimelineEntry(actor=f"user:{user.username}", user_id=user.id, kind="referral")
    )
    if access.is_restricted(case_.sensitivity):
        audit.record(session, user=user, action="case.referral", case_id=case_.id)
    session.flush()


def close_loop(session: Session, case_: Case, user: User) -> None:
    """After the outcome went to the person: RESPONDED (if needed), then CLOSED_LOOP."""
    actor = f"user:{user.username}"
    if Status.CLOSED_LOOP not in cases.moves_for(case_):
        cases.change_status(session, case_, Status.RESPONDED, actor=actor, user=user)
    cases.change_status(session, case_, Status.CLOSED_LOOP, actor=actor, user=user)


@dataclass(frozen=True)
class PhoneError:
    key: str  # a UI text key


def log_phone_call(session: Session, user: User, form: PhoneForm) -> Case | PhoneError:
    """A hotline call as a case (channel "phone"); the number only with consent, in the vault."""
    try:
        data = CaseCreate(
            type=CaseType(form.type),
            category=form.category,
            topic=form.topic or "GEN",
            channel="phone",
            language=form.language if form.language in ("fa", "prs") else None,
            province=form.province or None,
            description=form.description or None,
            preferred_operator_gender=form.preferred_operator_gender or None,
        )
    except ValueError:
        return PhoneError("error.form")
    contact = None
    if form.number:
        if not form.consent:
            return PhoneError("phone.number_needs_consent")
        number = normalise_phone(form.number)
        if number is None:
            return PhoneError("phone.bad_number")
        contact = contacts.ensure_contact(session, "phone", number)
        contact.language = data.language
        contacts.set_consent(session, contact, True, data.preferred_operator_gender)
    case_, _created = cases.create_case(
        session, data, actor=f"user:{user.username}", contact=contact, user=user
    )
    return case_
