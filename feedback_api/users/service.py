"""Users, passwords (argon2), login lockout and signed tokens."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.db import utcnow
from feedback_api.errors import Conflict, Unauthorized
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role
from feedback_api.users.models import User

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same.
_DUMMY_HASH = _hasher.hash("not a password")
MIN_PASSWORD_LENGTH = 10


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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
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


def authenticate(session: Session, username: str, password: str) -> User:
    """The user for a correct password; repeated failures lock the account for a while."""
    settings = get_settings()
    user = session.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is None or not user.is_active:
        _verify(_DUMMY_HASH, password)
        raise Unauthorized("wrong username or password", code="bad_credentials")
    if user.locked_until and user.locked_until > now:
        raise Unauthorized("too many failed attempts: try again later", code="locked")
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
        session.commit()
        raise Unauthorized("wrong username or password", code="bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def logout_everywhere(user: User) -> None:
    user.session_epoch += 1


def _sign(payload: bytes) -> str:
    key = get_settings().secret("secret_key").encode()
    return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode()


def issue_token(user: User, max_age_seconds: int | None = None) -> str:
    age = max_age_seconds or get_settings().session_max_age_seconds
    claims = {"u": user.id, "e": user.session_epoch, "x": int(utcnow().timestamp()) + age}
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode() + "." + _sign(payload)


def user_from_token(session: Session, token: str) -> User:
    try:
        encoded, signature = token.split(".", 1)
        payload = base64.urlsafe_b64decode(encoded.encode())
        valid = hmac.compare_digest(signature, _sign(payload))
        claims = json.loads(payload) if valid else None
    except (ValueError, UnicodeDecodeError):
        claims = None
    if not isinstance(claims, dict) or claims.get("x", 0) < utcnow().timestamp():
        raise Unauthorized("not logged in", code="not_authenticated")
    user = session.get(User, claims.get("u"))
    if user is None or not user.is_active or user.session_epoch != claims.get("e"):
        raise Unauthorized("not logged in", code="not_authenticated")
    return user
