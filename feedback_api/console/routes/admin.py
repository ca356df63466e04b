"""Console views for administration: users (admin) and data retention (DPO)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.audit import service as audit
from feedback_api.console import service as console
from feedback_api.console.auth import PREFIX, require_roles
from feedback_api.console.routes.common import choices, redirect
from feedback_api.console.templating import render, translate, ui_language
from feedback_api.deps import SessionDep
from feedback_api.errors import Conflict, NotFound
from feedback_api.taxonomy import Role
from feedback_api.users import service as users
from feedback_api.users.models import User

router = APIRouter()

AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
DpoUser = Annotated[User, Depends(require_roles(Role.data_protection_officer))]


@router.get("/admin/users")
def users_page(request: Request, user: AdminUser, session: SessionDep) -> Response:
    return _users_page(request, session)


def _users_page(
    request: Request,
    session: Session,
    *,
    error: str | None = None,
    flash: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = session.scalars(select(User).order_by(User.username)).all()
    return render(
        request,
        "users.html",
        {"active": "users", "rows": rows, "error": error, "flash": flash, **choices()},
        status_code=status_code,
    )


@router.post("/admin/users")
def users_create(
    request: Request,
    user: AdminUser,
    session: SessionDep,
    username: Annotated[str, Form(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=256)],
    display_name: Annotated[str, Form(max_length=128)] = "",
    gender: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    lang = ui_language(request)
    if len(password) < users.MIN_PASSWORD_LENGTH:
        return _users_page(
            request, session, error=translate(lang, "users.short_password"), status_code=422
        )
    try:
        created = users.create_user(
            session,
            username,
            role.value,
            password,
            display_name=display_name.strip(),
            gender=gender if gender in ("female", "male") else None,
        )
    except Conflict:
        return _users_page(request, session, error=translate(lang, "users.exists"), status_code=409)
    audit.record(session, user=user, action="user.create", target=created.username, role=role.value)
    return _users_page(request, session, flash=translate(lang, "users.created", name=username))


@router.post("/admin/users/{user_id}/active")
def users_active(
    request: Request,
    user_id: int,
    user: AdminUser,
    session: SessionDep,
    active: Annotated[bool, Form()],
) -> Response:
    target = session.get(User, user_id)
    if target is None:
        raise NotFound("no such user", code="user_not_found")
    if target.id == user.id and not active:
        return _users_page(
            request, session, error=translate(ui_language(request), "users.self"), status_code=409
        )
    if active:
        target.is_active = True
    else:
        users.deactivate(session, target)
    audit.record(session, user=user, action="user.active", target=target.username, active=active)
    return redirect(f"{PREFIX}/admin/users")


@router.post("/admin/users/{user_id}/password")
def users_password(
    request: Request,
    user_id: int,
    user: AdminUser,
    session: SessionDep,
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    """Set a new password: the user's sessions end (a colleague's lost laptop, a leak)."""
    lang = ui_language(request)
    target = session.get(User, user_id)
    if target is None:
        raise NotFound("no such user", code="user_not_found")
    try:
        users.set_password(session, target, password)
    except ValueError:
        return _users_page(
            request, session, error=translate(lang, "users.short_password"), status_code=422
        )
    audit.record(session, user=user, action="user.password", target=target.username)
    return _users_page(
        request, session, flash=translate(lang, "users.password_set", name=target.username)
    )


@router.get("/retention")
def retention_page(request: Request, user: DpoUser, session: SessionDep) -> Response:
    return render(
        request,
        "retention.html",
        {
            "active": "retention",
            "runs": console.retention_runs(session),
            "classes": ("restricted_cases", "old_cases", "addresses", "transcripts"),
        },
    )
