"""Plain factory functions for tests: each takes a session and commits what it makes."""

from __future__ import annotations

import itertools
import secrets

from sqlalchemy.orm import Session

from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.users.models import User
from feedback_api.users.service import create_user, issue_token

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def make_user(session: Session, role: str = "operator", username: str | None = None) -> User:
    user = create_user(session, username or f"{role}{next(_serial)}", role, PASSWORD)
    session.commit()
    return user


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user)}"}


def make_contact(session: Session, channel: str = "sms", address: str | None = None) -> Contact:
    address = address or f"+98912{secrets.randbelow(10**7):07d}"
    contact = contacts.ensure_contact(session, channel, address)
    session.commit()
    return contact


def make_case(
    session: Session,
    *,
    category: str = "CMN",
    topic: str = "GEN",
    contact: Contact | None = None,
    description: str | None = "The distribution skipped our street.",
    channel: str = "sms",
    language: str = "fa",
    province: str | None = "Tehran",
    case_type: CaseType = CaseType.complaint,
    sensitivity: str | None = None,
    client_key: str | None = None,
) -> Case:
    data = CaseCreate(
        type=case_type,
        category=category,
        topic=topic,
        channel=channel,  # type: ignore[arg-type]
        language=language,  # type: ignore[arg-type]
        province=province,
        description=description,
        sensitivity=sensitivity,  # type: ignore[arg-type]
    )
    case, _ = cases.create_case(session, data, actor="test", contact=contact, client_key=client_key)
    session.commit()
    return case
