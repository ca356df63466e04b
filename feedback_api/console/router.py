"""The hotline console: login, the queue, live chats, case pages, phone calls, users."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.audit import service as audit
from feedback_api.cases import access
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseFilters, CaseType
from feedback_api.cases.state_machine import Status
from feedback_api.console import gateway
from feedback_api.console import service as console
from feedback_api.console.auth import (
    LOGIN_CSRF_COOKIE,
    PREFIX,
    ConsoleUserDep,
    clear_session_cookie,
    require_roles,
    safe_next,
    session_of,
    set_session_cookie,
)
from feedback_api.console.schemas import PhoneForm, SendForm
from feedback_api.console.templating import LANG_COOKIE, LANGUAGES, render, translate, ui_language
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.deps import SessionDep
from feedback_api.errors import BusinessError, Conflict, NotFound, Unauthorized
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.taxonomy import Role, load_provinces, load_taxonomy
from feedback_api.users import service as users
from feedback_api.users.models import User

router = APIRouter(prefix=PREFIX, include_in_schema=False)

CaseWorker = Annotated[
    User,
    Depends(
        require_roles(
            Role.operator,
            Role.accountability_staff,
            Role.cfm_manager,
            Role.psea_focal_point,
            Role.protection_focal_point,
            Role.data_protection_officer,
        )
    ),
]
AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
TextField = Annotated[str, Form(max_length=4000)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _not_found(request: Request) -> Response:
    return render(request, "error.html", {"message_key": "error.not_found"}, status_code=404)


def _choices() -> dict[str, Any]:
    taxonomy = load_taxonomy()
    return {
        "categories": list(taxonomy.categories.values()),
        "topics": taxonomy.topics,
        "provinces": list(load_provinces().values()),
        "channels": ("telegram", "sms", "phone", "web"),
        "languages": ("fa", "prs"),
        "statuses": [s.value for s in Status],
        "types": [t.value for t in CaseType],
        "roles": [r.value for r in Role],
    }


# --- login, logout, language ---------------------------------------------------


@router.get("/login")
def login_page(request: Request, session: SessionDep, next: str | None = None) -> Response:
    if session_of(session, request) is not None:
        return _redirect(safe_next(next))
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
        user = users.authenticate(session, username, password)
    except Unauthorized as exc:
        key = "login.locked" if exc.code == "locked" else "login.bad_credentials"
        return _login_form(
            request,
            next=safe_next(next),
            error=translate(lang, key),
            username=username,
            status_code=401,
        )
    session.commit()
    target = safe_next(next)
    if user.role == Role.admin and target == f"{PREFIX}/":
        target = f"{PREFIX}/admin/users"
    response = _redirect(target)
    set_session_cookie(response, users.issue_token(user))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@router.post("/logout")
def logout(user: ConsoleUserDep) -> Response:
    response = _redirect(f"{PREFIX}/login")
    clear_session_cookie(response)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(user: ConsoleUserDep, session: SessionDep) -> Response:
    users.logout_everywhere(user)
    response = _redirect(f"{PREFIX}/login")
    clear_session_cookie(response)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    response = _redirect(safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="lax", httponly=True
        )
    return response


# --- the queue --------------------------------------------------------------------


def _queue_filters(request: Request) -> dict[str, str]:
    return {
        name: value
        for name in console.QUEUE_FILTERS
        if (value := request.query_params.get(name, "").strip())
    }


@router.get("/")
def queue(
    request: Request,
    user: ConsoleUserDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    mine: bool = False,
) -> Response:
    if user.role == Role.admin:
        return _redirect(f"{PREFIX}/admin/users")
    filters = _queue_filters(request)
    total, rows = console.queue_cases(session, user, filters, mine=mine, offset=offset)
    return render(
        request,
        "queue.html",
        {
            "active": "queue",
            "filters": filters,
            "mine": mine,
            "total": total,
            "rows": [(row, cases.next_due(row)) for row in rows],
            "offset": offset,
            "limit": 50,
            "now": utcnow(),
            **_handoff_context(session, user),
            **_choices(),
        },
    )


def _handoff_context(session: Session, user: User) -> dict[str, Any]:
    waiting = console.visible_handoffs(session, user)
    active = [
        pair
        for pair in console.visible_handoffs(session, user, ("active",))
        if pair[0].claimed_by_id == user.id or user.role == Role.cfm_manager
    ]
    holders = {
        u.id: u.username
        for u in session.scalars(
            select(User).where(User.id.in_([h.claimed_by_id for h, _ in active]))
        )
    }
    channels = dict(
        session.execute(
            select(Handoff.id, Contact.channel)
            .join(Contact, Handoff.contact_id == Contact.id)
            .where(Handoff.id.in_([h.id for h, _ in waiting]))
        ).all()
    )
    return {
        "waiting": waiting,
        "active_chats": active,
        "holders": holders,
        "handoff_channels": channels,
        "now": utcnow(),
    }


@router.get("/queue/handoffs")
def handoff_fragment(request: Request, user: CaseWorker, session: SessionDep) -> Response:
    """The "waiting" part of the queue, re-fetched by notify.js when it changes."""
    return render(request, "_handoffs.html", _handoff_context(session, user))


@router.get("/api/notifications.json")
def notifications(
    user: CaseWorker, session: SessionDep, since: dt.datetime | None = None
) -> JSONResponse:
    when = since if since and since.tzinfo else console.since_default()
    data = console.notifications(session, user, when)
    data["now"] = utcnow().isoformat()
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.post("/handoffs/{handoff_id}/claim")
def claim_handoff(
    request: Request, handoff_id: int, user: CaseWorker, session: SessionDep
) -> Response:
    try:
        console.claim_handoff(session, user, handoff_id)
    except NotFound:
        return _not_found(request)
    except Conflict:
        return _redirect(f"{PREFIX}/?taken={handoff_id}")
    return _redirect(f"{PREFIX}/chat/{handoff_id}")


# --- live chat ---------------------------------------------------------------------


def _chat_parts(
    session: Session, user: User, handoff_id: int
) -> tuple[Handoff, Contact | None, Case | None]:
    handoff = console.get_handoff(session, user, handoff_id)
    contact = session.get(Contact, handoff.contact_id)
    linked = session.get(Case, handoff.case_id) if handoff.case_id else None
    return handoff, contact, linked


def _lines(session: Session, contact: Contact | None) -> list[dict[str, Any]]:
    if contact is None:
        return []
    return [
        {
            "at": line.at.isoformat() if line.at else None,
            "direction": line.direction,
            "text": line.text,
            "sender": line.sender,
            "who": "person"
            if line.direction == "in"
            else ("operator" if line.sender.startswith("operator") else "bot"),
            "status": line.status,
        }
        for line in gateway.transcript(session, contact)
    ]


@router.get("/chat/{handoff_id}")
def chat(request: Request, handoff_id: int, user: CaseWorker, session: SessionDep) -> Response:
    try:
        handoff, contact, linked = _chat_parts(session, user, handoff_id)
    except NotFound:
        return _not_found(request)
    error = None
    try:
        lines = _lines(session, contact)
    except gateway.GatewayUnavailable:
        lines, error = [], translate(ui_language(request), "chat.no_gateway")
    holder = session.get(User, handoff.claimed_by_id) if handoff.claimed_by_id else None
    return render(
        request,
        "chat.html",
        {
            "active": "queue",
            "handoff": handoff,
            "contact": contact,
            "linked": linked,
            "lines": lines,
            "holder": holder,
            "mine": handoff.status == "active" and handoff.claimed_by_id == user.id,
            "error": error,
        },
    )


@router.get("/chat/{handoff_id}/messages.json")
def chat_messages(handoff_id: int, user: CaseWorker, session: SessionDep) -> JSONResponse:
    try:
        handoff, contact, _linked = _chat_parts(session, user, handoff_id)
        lines = _lines(session, contact)
    except NotFound:
        return JSONResponse({"detail": "not found"}, status_code=404)
    except gateway.GatewayUnavailable:
        lines = []
    return JSONResponse(
        {"status": handoff.status, "lines": lines}, headers={"Cache-Control": "no-store"}
    )


def _held_chat(session: Session, user: User, handoff_id: int) -> tuple[Handoff, Contact]:
    handoff, contact, _linked = _chat_parts(session, user, handoff_id)
    if handoff.status != "active" or handoff.claimed_by_id != user.id or contact is None:
        raise Conflict("claim the chat first", code="not_your_chat")
    return handoff, contact


@router.post("/chat/{handoff_id}/reply")
def chat_reply(
    request: Request,
    handoff_id: int,
    user: CaseWorker,
    session: SessionDep,
    form: Annotated[SendForm, Form()],
) -> Response:
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        _handoff, contact = _held_chat(session, user, handoff_id)
        gateway.send_operator_text(session, contact, form.text, user.username)
    except NotFound:
        return _not_found(request)
    except (Conflict, gateway.GatewayUnavailable) as exc:
        if wants_json:
            return JSONResponse({"detail": str(exc)}, status_code=409)
        return _redirect(f"{PREFIX}/chat/{handoff_id}")
    if wants_json:
        return JSONResponse({"ok": True})
    return _redirect(f"{PREFIX}/chat/{handoff_id}")


@router.post("/chat/{handoff_id}/end")
def chat_end(request: Request, handoff_id: int, user: CaseWorker, session: SessionDep) -> Response:
    try:
        handoff, contact = _held_chat(session, user, handoff_id)
    except NotFound:
        return _not_found(request)
    except Conflict:
        return _redirect(f"{PREFIX}/chat/{handoff_id}")
    handoffs.end(session, handoff)
    session.flush()
    with contextlib.suppress(gateway.GatewayUnavailable):
        gateway.send_notice(session, contact, console.chat_ended_text(contact.language))
    return _redirect(f"{PREFIX}/")


# --- cases --------------------------------------------------------------------------


@router.get("/cases")
def case_list(
    request: Request,
    user: CaseWorker,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    q: str | None = None,
) -> Response:
    if q:
        try:
            return _redirect(f"{PREFIX}/cases/{references.parse(q)}")
        except references.InvalidReference:
            pass
    raw = {
        name: value
        for name in ("status", "category", "channel", "language", "province")
        if (value := request.query_params.get(name, "").strip())
    }
    try:
        filters = CaseFilters(**raw, limit=50, offset=offset)
    except ValueError:
        filters, raw = CaseFilters(limit=50, offset=offset), {}
    total, rows = cases.list_for_user(session, user, filters)
    return render(
        request,
        "cases.html",
        {
            "active": "cases",
            "filters": raw,
            "total": total,
            "rows": [(row, cases.next_due(row)) for row in rows],
            "offset": offset,
            "limit": 50,
            "q": q or "",
            **_choices(),
        },
    )


def _case_page(
    request: Request,
    session: Session,
    user: User,
    case: Case,
    *,
    error: str | None = None,
    flash: str | None = None,
    revealed: str | None = None,
    status_code: int = 200,
) -> Response:
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    assignee = session.get(User, case.assignee_id) if case.assignee_id else None
    chat = handoffs.current(session, contact) if contact else None
    actors = {
        u.id: u.username
        for u in session.scalars(
            select(User).where(User.id.in_({e.user_id for e in case.timeline if e.user_id}))
        )
    }
    return render(
        request,
        "case.html",
        {
            "active": "cases",
            "case": case,
            "display_ref": references.display(case.reference),
            "due": cases.next_due(case),
            "overdue": cases.is_overdue(case),
            "moves": [m.value for m in cases.moves_for(case)],
            "contact": console.contact_view(user, case, contact),
            "revealed": revealed,
            "assignee": assignee,
            "assignable": console.assignable_users(session, case),
            "ready_texts": console.ready_texts(case),
            "can_send": contact is not None
            and contacts.address_of(contact) is not None
            and gateway.available(),
            "chat": chat,
            "actors": actors,
            "error": error,
            "flash": flash,
            "topics": load_taxonomy().topics,
        },
        status_code=status_code,
    )


def _load_case(session: Session, user: User, reference: str, action: str = "case.read") -> Case:
    return cases.get_for_user(session, user, reference, action=action)


@router.get("/cases/{reference}")
def case_page(request: Request, reference: str, user: CaseWorker, session: SessionDep) -> Response:
    try:
        case = _load_case(session, user, reference)
    except NotFound:
        return _not_found(request)
    return _case_page(request, session, user, case)


def _after_close(session: Session, case: Case) -> None:
    """Closing the loop asks the person how satisfied they are (1-5)."""
    if case.status != Status.CLOSED_LOOP or case.contact_id is None:
        return
    contact = session.get(Contact, case.contact_id)
    if contact is None:
        return
    try:
        gateway.ask_satisfaction(session, contact, case)
    except gateway.GatewayUnavailable:
        return


@router.post("/cases/{reference}/status")
def case_status(
    request: Request,
    reference: str,
    user: CaseWorker,
    session: SessionDep,
    target: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        case = _load_case(session, user, reference, "case.status")
    except NotFound:
        return _not_found(request)
    if target not in Status.__members__:
        return _case_page(
            request,
            session,
            user,
            case,
            error=translate(ui_language(request), "case.illegal"),
            status_code=409,
        )
    try:
        cases.change_status(
            session,
            case,
            Status(target),
            actor=f"user:{user.username}",
            user=user,
            reason=reason.strip() or None,
        )
    except Conflict:
        return _case_page(
            request,
            session,
            user,
            case,
            error=translate(ui_language(request), "case.illegal"),
            status_code=409,
        )
    _after_close(session, case)
    return _redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/note")
def case_note(
    request: Request,
    reference: str,
    user: CaseWorker,
    session: SessionDep,
    form: Annotated[SendForm, Form()],
) -> Response:
    try:
        case = _load_case(session, user, reference, "case.note")
    except NotFound:
        return _not_found(request)
    cases.add_note(session, case, form.text, user=user)
    return _redirect(f"{PREFIX}/cases/{case.reference}#timeline")


@router.post("/cases/{reference}/assign")
def case_assign(
    request: Request,
    reference: str,
    user: CaseWorker,
    session: SessionDep,
    assignee: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        case = _load_case(session, user, reference, "case.assign")
    except NotFound:
        return _not_found(request)
    target = None
    if assignee:
        target = session.scalar(
            select(User).where(User.username == assignee, User.is_active.is_(True))
        )
        if target is None:
            return _not_found(request)
    try:
        cases.assign(session, case, target, user=user)
    except Conflict as exc:
        message = translate(ui_language(request), "error.conflict", msg=exc.message)
        return _case_page(request, session, user, case, error=message, status_code=409)
    back = request.headers.get("referer", "")
    if back.endswith(f"{PREFIX}/") or f"{PREFIX}/?" in back:
        return _redirect(f"{PREFIX}/")
    return _redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/referral")
def case_referral(
    request: Request,
    reference: str,
    user: CaseWorker,
    session: SessionDep,
    form: Annotated[SendForm, Form()],
) -> Response:
    try:
        case = _load_case(session, user, reference, "case.referral")
    except NotFound:
        return _not_found(request)
    console.set_referral(session, case, form.text, user=user)
    return _redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/message")
def case_message(
    request: Request,
    reference: str,
    user: CaseWorker,
    session: SessionDep,
    form: Annotated[SendForm, Form()],
) -> Response:
    """Closing the loop: tell the person the outcome; optionally close the case."""
    lang = ui_language(request)
    try:
        case = _load_case(session, user, reference, "case.message")
    except NotFound:
        return _not_found(request)
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    if contact is None or contacts.address_of(contact) is None:
        return _case_page(
            request, session, user, case, error=translate(lang, "case.no_contact"), status_code=409
        )
    try:
        gateway.send_operator_text(session, contact, form.text, user.username)
    except gateway.GatewayUnavailable:
        return _case_page(
            request, session, user, case, error=translate(lang, "chat.no_gateway"), status_code=503
        )
    cases.add_message(session, case, "out", form.text, actor=f"user:{user.username}", user=user)
    if form.close:
        try:
            console.close_loop(session, case, user)
        except BusinessError:
            return _case_page(
                request, session, user, case, error=translate(lang, "case.illegal"), status_code=409
            )
        _after_close(session, case)
    return _redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/reveal")
def case_reveal(
    request: Request, reference: str, user: CaseWorker, session: SessionDep
) -> Response:
    try:
        case = _load_case(session, user, reference)
        number = console.reveal_address(session, user, case)
    except NotFound:
        return _not_found(request)
    return _case_page(request, session, user, case, revealed=number)


# --- phone calls ------------------------------------------------------------------------

PhoneWorker = Annotated[
    User,
    Depends(
        require_roles(
            Role.operator,
            Role.cfm_manager,
            Role.psea_focal_point,
            Role.protection_focal_point,
            Role.data_protection_officer,
        )
    ),
]


@router.get("/phone")
def phone_page(request: Request, user: PhoneWorker) -> Response:
    return render(request, "phone.html", {"active": "phone", "values": {}, **_choices()})


@router.post("/phone")
def phone_submit(
    request: Request,
    user: PhoneWorker,
    session: SessionDep,
    form: Annotated[PhoneForm, Form()],
) -> Response:
    lang = ui_language(request)
    values = form.model_dump()
    result = console.log_phone_call(session, user, form)
    if isinstance(result, console.PhoneError):
        return render(
            request,
            "phone.html",
            {
                "active": "phone",
                "values": values,
                "error": translate(lang, result.key),
                **_choices(),
            },
            status_code=422,
        )
    if access.can_see(user.role, result.sensitivity, result.category):
        return _redirect(f"{PREFIX}/cases/{result.reference}")
    note = translate(lang, "phone.routed", ref=references.display(result.reference))
    return render(
        request, "phone.html", {"active": "phone", "values": {}, "flash": note, **_choices()}
    )


# --- users (admin) ----------------------------------------------------------------------


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
        {"active": "users", "rows": rows, "error": error, "flash": flash, **_choices()},
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
        return _not_found(request)
    if target.id == user.id and not active:
        return _users_page(
            request, session, error=translate(ui_language(request), "users.self"), status_code=409
        )
    target.is_active = active
    if not active:
        users.logout_everywhere(target)
    audit.record(session, user=user, action="user.active", target=target.username, active=active)
    return _redirect(f"{PREFIX}/admin/users")
