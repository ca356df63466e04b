"""Named FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.cases.queries import get_for_user
from feedback_api.crypto import constant_time_equals
from feedback_api.db import read_only, session_scope
from feedback_api.errors import Forbidden, Unauthorized
from feedback_api.messaging import Messaging
from feedback_api.settings import Settings, get_settings
from feedback_api.users.models import User
from feedback_api.users.service import csrf_token_for, user_from_token

SESSION_COOKIE = "aap_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

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


def get_messaging(request: Request) -> Messaging:
    """The gateway the app was created with (feedback_api.main), or NoMessaging."""
    messaging: Messaging = request.app.state.messaging
    return messaging


MessagingDep = Annotated[Messaging, Depends(get_messaging)]


def require_service(credentials: BearerDep, settings: SettingsDep) -> None:
    """The bot and the channel layer authenticate with the shared service token."""
    if credentials is None or not constant_time_equals(
        credentials.credentials, settings.secret("service_token")
    ):
        raise Unauthorized("service token required", code="not_authenticated")


def source_address(request: Request) -> str:
    """The client's address (uvicorn takes X-Forwarded-For from FORWARDED_ALLOW_IPS only)."""
    return request.client.host if request.client else "unknown"


def current_user(request: Request, session: SessionDep, credentials: BearerDep) -> User:
    """A staff user from a bearer token (API clients) or the console's session cookie.

    A browser sends the cookie to any request, including one another site makes it send:
    with the cookie, a request that changes something must carry the session's CSRF token
    in the X-CSRF-Token header (which another site cannot set).
    """
    if credentials is not None:
        return user_from_token(session, credentials.credentials)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("not logged in", code="not_authenticated")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not constant_time_equals(sent, csrf_token_for(token)):
            raise Forbidden(
                f"a session cookie needs the {CSRF_HEADER} header here", code="csrf_required"
            )
    return user_from_token(session, token)


ServiceDep = Depends(require_service)
CurrentUserDep = Annotated[User, Depends(current_user)]


def case_for(action: str, user: Callable[..., User] = current_user) -> Callable[..., Case]:
    """A dependency: the case of the path's `reference`, for the user `user` gives.

    A case the user may not see (cases.access) answers 404 like one that does not exist;
    a restricted one is audited as `action`. The console passes its own user dependency.
    """

    def load(reference: str, session: SessionDep, who: User = Depends(user)) -> Case:
        return get_for_user(session, who, reference, action=action)

    return load
