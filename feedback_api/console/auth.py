"""Console login state: the session cookie, CSRF tokens and the "logged-in console user".

Other console pages (the dashboard) build on this module:

    from feedback_api.console.auth import ConsoleUserDep, require_roles

    @router.get("/console/dashboard")
    def dashboard(request: Request, user: ConsoleUserDep) -> HTMLResponse: ...

`ConsoleUserDep` redirects a browser to the login page (303) when nobody is
logged in (a JSON request gets 401 instead), and checks the CSRF token of
every POST, PUT, PATCH and DELETE: the form field `csrf_token` or the header
`X-CSRF-Token`. Templates get the token as `csrf_token` (see templating.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session

from feedback_api.deps import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, SessionDep
from feedback_api.errors import Unauthorized
from feedback_api.settings import get_settings
from feedback_api.taxonomy import Role
from feedback_api.users.models import User
from feedback_api.users.service import csrf_token_for, user_from_token

PREFIX = "/console"
LOGIN_PATH = f"{PREFIX}/login"
CSRF_FIELD = "csrf_token"
LOGIN_CSRF_COOKIE = "aap_login_csrf"


def csrf_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    return csrf_token_for(token) if token else ""


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept or request.url.path.endswith(".json")


def safe_next(target: str | None) -> str:
    """Only a local console path after login (no open redirect)."""
    if target and target.startswith(PREFIX) and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"


def login_redirect(request: Request) -> HTTPException:
    if _wants_json(request):
        return HTTPException(status_code=401, detail="not logged in")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return HTTPException(
        status_code=303,
        detail="login required",
        headers={"Location": f"{LOGIN_PATH}?next={quote(safe_next(target), safe='')}"},
    )


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request of a logged-in browser without its CSRF token."""
    if request.method in SAFE_METHODS:
        return
    session_token = request.cookies.get(SESSION_COOKIE)
    if not session_token:
        return  # console_user answers with the login redirect
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, csrf_token_for(session_token)):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


def console_user(
    request: Request, session: SessionDep, _csrf: Annotated[None, Depends(csrf_protect)]
) -> User:
    """The logged-in console user (cookie `aap_session`), else a redirect to the login page."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise login_redirect(request)
    try:
        user = user_from_token(session, token)
    except Unauthorized as exc:
        raise login_redirect(request) from exc
    request.state.console_user = user
    return user


ConsoleUserDep = Annotated[User, Depends(console_user)]


def require_roles(*roles: Role | str) -> Callable[[User], User]:
    """A dependency: the console user, who must have one of `roles` (else 404, as for cases)."""
    allowed = {Role(role) for role in roles}

    def dependency(user: ConsoleUserDep) -> User:
        if Role(user.role) not in allowed:
            raise HTTPException(status_code=404, detail="not found")
        return user

    return dependency


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_base_url.startswith("https://"),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_of(session: Session, request: Request) -> User | None:
    """The logged-in user or None, for pages that work either way (the login page)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return user_from_token(session, token)
    except Unauthorized:
        return None
