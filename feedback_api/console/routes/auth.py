"""Console views: login, logout, the interface language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from feedback_api.console.auth import (
    LOGIN_CSRF_COOKIE,
    PREFIX,
    ConsoleUserDep,
    clear_session_cookie,
    safe_next,
    session_of,
    set_session_cookie,
)
from feedback_api.console.routes.common import redirect
from feedback_api.console.templating import (
    LANG_COOKIE,
    is_ui_language,
    render,
    translate,
    ui_language,
)
from feedback_api.deps import SESSION_COOKIE, SessionDep, source_address
from feedback_api.errors import TooManyRequests, Unauthorized
from feedback_api.taxonomy import Role
from feedback_api.users import service as users

router = APIRouter()


@router.get("/login")
def login_page(request: Request, session: SessionDep, next: str | None = None) -> Response:
    if session_of(session, request) is not None:
        return redirect(safe_next(next))
    return _login_form(request, next=safe_next(next))


def _login_form(
    request: Request,
    *,
    next: str,
    error: str | None = None,
    username: str | None = None,
    status_code: int = 200,
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "next": next, "error": error, "username": username},
        status_code=status_code,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path=PREFIX)
    return response


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    lang = ui_language(request)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf_token, expected):
        return _login_form(
            request, next=safe_next(next), error=translate(lang, "login.csrf"), status_code=403
        )
    try:
        user = users.authenticate(session, username, password, source_address(request))
    except TooManyRequests as exc:
        response = _login_form(
            request,
            next=safe_next(next),
            error=translate(lang, "login.throttled"),
            username=username,
            status_code=429,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Unauthorized:
        return _login_form(
            request,
            next=safe_next(next),
            error=translate(lang, "login.bad_credentials"),
            username=username,
            status_code=401,
        )
    target = safe_next(next)
    if user.role == Role.admin and target == f"{PREFIX}/":
        target = f"{PREFIX}/admin/users"
    response = redirect(target)
    set_session_cookie(response, users.issue_token(session, user))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
def logout(request: Request, user: ConsoleUserDep, session: SessionDep) -> Response:
    users.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(f"{PREFIX}/login")
    clear_session_cookie(response)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(user: ConsoleUserDep, session: SessionDep) -> Response:
    users.end_all_sessions(session, user)
    response = redirect(f"{PREFIX}/login")
    clear_session_cookie(response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = redirect(safe_next(next))
    if is_ui_language(code):
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="lax", httponly=True
        )
    return response
