"""Plain factory functions for tests: each takes a session and commits what it makes.

And the console's browser helpers: log a client in, read CSRF tokens.
"""

from __future__ import annotations

import itertools
import re
import secrets

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, object_session

from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.console.auth import csrf_token_for
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.deps import SESSION_COOKIE
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.users.models import User
from feedback_api.users.service import create_user, issue_token

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def make_user(session: Session, role: str = "operator", username: str | None = None) -> User:
    user = create_user(session, username or f"{role}{next(_serial)}", role, PASSWORD)
    session.commit()
    return user


def token_for(user: User) -> str:
    """A new session of a user made by make_user (committed, so requests see it)."""
    session = object_session(user)
    assert session is not None
    token = issue_token(session, user)
    session.commit()
    return token


def auth(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)}"}


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


def login_as(client: TestClient, user: User) -> str:
    """Set the session cookie for `user` on the client; returns the CSRF token."""
    token = token_for(user)
    client.cookies.set(SESSION_COOKIE, token)
    return csrf_token_for(token)


def csrf_of(client: TestClient) -> str:
    token = client.cookies.get(SESSION_COOKIE)
    assert token
    return csrf_token_for(token)


_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def form_csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def make_handoff(
    session: Session, channel: str = "telegram", reason: str | None = "human"
) -> Handoff:
    contact = make_contact(session, channel, "123456789" if channel == "telegram" else None)
    handoff = handoffs.request_human(session, contact, reason, None)
    session.commit()
    return handoff
