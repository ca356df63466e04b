from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from feedback_api.deps import CurrentUserDep, SessionDep
from feedback_api.errors import documented
from feedback_api.users import service
from feedback_api.users.schemas import Token, UserOut

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=documented(401))


@router.post("/token", response_model=Token)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep) -> Token:
    """Username and password for a bearer token (OAuth2 password flow)."""
    user = service.authenticate(session, form.username, form.password)
    return Token(access_token=service.issue_token(user))


@router.get("/me", response_model=UserOut)
def me(user: CurrentUserDep) -> UserOut:
    return UserOut.model_validate(user)


@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def logout_everywhere(user: CurrentUserDep, session: SessionDep) -> None:
    """End every session and token of this user."""
    service.logout_everywhere(user)
