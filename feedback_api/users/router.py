from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from feedback_api.deps import (
    SESSION_COOKIE,
    BearerDep,
    CurrentUserDep,
    SessionDep,
    source_address,
)
from feedback_api.errors import documented
from feedback_api.users import service
from feedback_api.users.schemas import Token, UserOut

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=documented(401, 403))


@router.post("/token", response_model=Token, responses=documented(429))
def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
) -> Token:
    """Username and password for a bearer token (OAuth2 password flow).

    Repeated failures from one address are answered 429 (Retry-After) for a while; no
    account is ever locked.
    """
    user = service.authenticate(session, form.username, form.password, source_address(request))
    return Token(access_token=service.issue_token(session, user))


@router.get("/me", response_model=UserOut)
def me(user: CurrentUserDep) -> UserOut:
    return UserOut.model_validate(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request, user: CurrentUserDep, credentials: BearerDep, session: SessionDep
) -> None:
    """End this token (or the console session whose cookie came with the request)."""
    token = credentials.credentials if credentials else request.cookies.get(SESSION_COOKIE, "")
    service.end_session(session, token)


@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def logout_everywhere(user: CurrentUserDep, session: SessionDep) -> None:
    """End every session and token of this user."""
    service.end_all_sessions(session, user)
