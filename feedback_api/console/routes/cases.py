"""Console views: the case list and the case page with its actions.

Each action loads its case with `console_case` (404 page for a case the user may not
see) and calls one domain function; errors come back as the page with a sentence.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.cases import flows, queries
from feedback_api.cases import service as cases
from feedback_api.cases.due import is_overdue, next_due
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseFilters
from feedback_api.cases.state_machine import Status
from feedback_api.console import service as console
from feedback_api.console.auth import PREFIX
from feedback_api.console.routes.common import CaseWorker, ReadCase, choices, console_case, redirect
from feedback_api.console.schemas import SendForm
from feedback_api.console.templating import render, translate, ui_language
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.deps import MessagingDep, SessionDep, get_messaging
from feedback_api.errors import Conflict
from feedback_api.handoff import service as handoffs
from feedback_api.messaging import GatewayUnavailable
from feedback_api.taxonomy import load_taxonomy
from feedback_api.users.models import User

router = APIRouter()

StatusCase = Annotated[Case, console_case("case.status")]
NoteCase = Annotated[Case, console_case("case.note")]
AssignCase = Annotated[Case, console_case("case.assign")]
ReferralCase = Annotated[Case, console_case("case.referral")]
MessageCase = Annotated[Case, console_case("case.message")]
# What the console says when sending the outcome fails (flows.send_outcome's codes).
OUTCOME_ERRORS = {"no_contact": "case.no_contact", "undeliverable": "case.undeliverable"}


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
            return redirect(f"{PREFIX}/cases/{references.parse(q)}")
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
    total, rows = queries.list_for_user(session, user, filters)
    return render(
        request,
        "cases.html",
        {
            "active": "cases",
            "filters": raw,
            "total": total,
            "rows": [(row, next_due(row)) for row in rows],
            "offset": offset,
            "limit": 50,
            "q": q or "",
            **choices(),
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
            "due": next_due(case),
            "overdue": is_overdue(case),
            "moves": [m.value for m in cases.moves_for(case)],
            "contact": contacts.view_for(user, case, contact),
            "revealed": revealed,
            "assignee": assignee,
            "assignable": queries.assignable_users(session, case),
            "ready_texts": console.ready_texts(case),
            "can_send": contact is not None
            and contacts.address_of(contact) is not None
            and get_messaging(request).available,
            "chat": chat,
            "undelivered": get_messaging(request).undelivered(session, case),
            "actors": actors,
            "error": error,
            "flash": flash,
            "topics": load_taxonomy().topics,
        },
        status_code=status_code,
    )


def _refused(
    request: Request, session: Session, user: User, case: Case, key: str, status_code: int
) -> Response:
    """The case page again, saying why the action was refused."""
    error = translate(ui_language(request), key)
    return _case_page(request, session, user, case, error=error, status_code=status_code)


@router.get("/cases/{reference}")
def case_page(request: Request, case: ReadCase, user: CaseWorker, session: SessionDep) -> Response:
    return _case_page(request, session, user, case)


@router.post("/cases/{reference}/status")
def case_status(
    request: Request,
    case: StatusCase,
    user: CaseWorker,
    session: SessionDep,
    messaging: MessagingDep,
    target: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if target not in Status.__members__:
        return _refused(request, session, user, case, "case.illegal", 409)
    try:
        cases.change_status(
            session,
            case,
            Status(target),
            actor=f"user:{user.username}",
            user=user,
            messaging=messaging,
            reason=reason.strip() or None,
        )
    except Conflict:
        return _refused(request, session, user, case, "case.illegal", 409)
    return redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/note")
def case_note(
    case: NoteCase, user: CaseWorker, session: SessionDep, form: Annotated[SendForm, Form()]
) -> Response:
    cases.add_note(session, case, form.text, user=user)
    return redirect(f"{PREFIX}/cases/{case.reference}#timeline")


@router.post("/cases/{reference}/assign")
def case_assign(
    request: Request,
    case: AssignCase,
    user: CaseWorker,
    session: SessionDep,
    assignee: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        cases.assign(session, case, assignee, user=user)
    except Conflict as exc:
        message = translate(ui_language(request), "error.conflict", msg=exc.message)
        return _case_page(request, session, user, case, error=message, status_code=409)
    back = request.headers.get("referer", "")
    if back.endswith(f"{PREFIX}/") or f"{PREFIX}/?" in back:
        return redirect(f"{PREFIX}/")
    return redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/referral")
def case_referral(
    case: ReferralCase, user: CaseWorker, session: SessionDep, form: Annotated[SendForm, Form()]
) -> Response:
    cases.set_referral(session, case, form.text, user=user)
    return redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/message")
def case_message(
    request: Request,
    case: MessageCase,
    user: CaseWorker,
    session: SessionDep,
    messaging: MessagingDep,
    form: Annotated[SendForm, Form()],
) -> Response:
    """Closing the loop: tell the person the outcome; optionally close the case."""
    try:
        flows.send_outcome(session, messaging, case, form.text, user=user, close=form.close)
    except GatewayUnavailable:
        return _refused(request, session, user, case, "chat.no_gateway", 503)
    except Conflict as exc:
        key = OUTCOME_ERRORS.get(exc.code, "case.illegal")
        return _refused(request, session, user, case, key, 409)
    return redirect(f"{PREFIX}/cases/{case.reference}")


@router.post("/cases/{reference}/reveal")
def case_reveal(
    request: Request, case: ReadCase, user: CaseWorker, session: SessionDep
) -> Response:
    number = contacts.reveal(session, user, case)
    return _case_page(request, session, user, case, revealed=number)
