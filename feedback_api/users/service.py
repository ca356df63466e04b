"""Users, passwords (argon2), logins and server-side sessions.

A session (the console's cookie) and an API token are the same thing: a random token whose
SHA-256 is a row of user_sessions. It ends when the row goes: logout, "log out everywhere",
a password change, deactivation, or its expiry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from feedback_api.db import utcnow
from feedback_api.errors import Conflict, NotFound, Unauthorized
from feedback_api.handoff import service as handoffs
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role
from feedback_api.users import throttle
from feedback_api.users.models import User, UserSession

_hasher = PasswordHasher()
# Verifying against this when the user does not exist (or is inactive) keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not a password")
MIN_PASSWORD_LENGTH = 10


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def create_user(
    session: Session,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
    gender: str | None = None,
) -> User:
    Role(role)
    _check_length(password)
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username!r} exists", code="user_exists")
    user = User(
        username=username,
        role=role,
        password_hash=_hasher.hash(password),
        display_name=display_name or username,
        gender=gender,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str, address: str) -> User:
    """The user for a correct password, from a source address that is not throttled.

    A throttled attempt never reaches argon2; an unknown, inactive or wrong one costs one
    argon2 check either way and gets the same answer. Failures are committed before the
    error is raised (the request itself rolls back).
    """
    now = utcnow()
    throttle.check(session, address, username, now)
    user = session.scalar(select(User).where(User.username == username))
    known = user is not None and user.is_active
    valid = _verify(user.password_hash if user is not None and known else _DUMMY_HASH, password)
    if user is None or not known or not valid:
        throttle.record_failure(session, address, username, now)
        session.commit()
        raise Unauthorized("wrong username or password", code="bad_credentials")
    throttle.record_success(session, address, username)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def active_user(session: Session, username: str) -> User:
    """The active user of that name: the one rule for who can be given work (a case)."""
    user = session.scalar(select(User).where(User.username == username, User.is_active.is_(True)))
    if user is None:
        raise NotFound("no such user", code="user_not_found")
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """A new password ends every session and token of the user."""
    _check_length(password)
    user.password_hash = _hasher.hash(password)
    end_all_sessions(session, user)


def deactivate(session: Session, user: User) -> None:
    """The user can no longer log in; their sessions end and their live chats go back to
    the queue, so nobody is left talking to an empty chair."""
    user.is_active = False
    end_all_sessions(session, user)
    handoffs.release_held_by(session, user.id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, max_age_seconds: int | None = None) -> str:
    """A new session (console cookie or API bearer token) for the user."""
    now = utcnow()
    age = max_age_seconds or get_settings().session_max_age_seconds
    session.execute(delete(UserSession).where(UserSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=age),
        )
    )
    session.flush()
    return token


def user_from_token(session: Session, token: str) -> User:
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or row.expires_at <= utcnow() or user is None or not user.is_active:
        raise Unauthorized("not logged in", code="not_authenticated")
    return user


def end_session(session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def end_all_sessions(session: Session, user: User) -> None:
    """Log out everywhere: every session and token of the user ends now."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def csrf_token_for(session_token: str) -> str:
    """The CSRF token of a session: an HMAC of the session token, so it needs no storage."""
    key = get_settings().secret("secret_key").encode()
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()
