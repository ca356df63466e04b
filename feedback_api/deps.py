"""Named FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from feedback_api.crypto import constant_time_equals
from feedback_api.db import read_only, session_scope
from feedback_api.errors import Unauthorized
from feedback_api.settings import Settings, get_settings
from feedback_api.users.models import User
from feedback_api.users.service import user_from_token

SESSION_COOKIE = "aap_session"

_bearer = HTTPBearer(auto_error=False)


def get_session() -> Iterator[Session]:
    yield from session_scope()


SessionDep = Annotated[Session, Depends(get_session)]


def get_read_session(session: SessionDep) -> Session:
    """For endpoints that never write (dashboard, health).

    Declare it as the route's first parameter: the user look-up then reuses this
    session, and only a session that has not begun can start without the lock.
    """
    return read_only(session)


ReadSessionDep = Annotated[Session, Depends(get_read_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def require_service(credentials: BearerDep, settings: SettingsDep) -> None:
    """The bot and the channel layer authenticate with the shared service token."""
    if credentials is None or not constant_time_equals(
        credentials.credentials, settings.secret("service_token")
    ):
        raise Unauthorized("service token required", code="not_authenticated")


def current_user(request: Request, session: SessionDep, credentials: BearerDep) -> User:
    """A staff user from a bearer token (API clients) or the console's session cookie."""
    token = credentials.credentials if credentials else request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("not logged in", code="not_authenticated")
    return user_from_token(session, token)


ServiceDep = Depends(require_service)
CurrentUserDep = Annotated[User, Depends(current_user)]
