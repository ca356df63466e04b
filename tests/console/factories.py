"""Console test helpers: log a browser in and read CSRF tokens from pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.console.auth import csrf_token_for
from feedback_api.deps import SESSION_COOKIE
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.users.models import User
from feedback_api.users.service import issue_token
from tests.factories import make_contact, make_user

__all__ = ["csrf_of", "form_csrf", "login_as", "make_handoff", "make_user"]


def login_as(client: TestClient, user: User) -> str:
    """Set the session cookie for `user` on the client; returns the CSRF token."""
    token = issue_token(user)
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
