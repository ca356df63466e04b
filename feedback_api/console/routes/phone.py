"""Console views: logging a hotline call as a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

import case_reference as references
from feedback_api.cases import access, flows
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.console.auth import PREFIX, require_roles
from feedback_api.console.routes.common import choices, redirect
from feedback_api.console.schemas import PhoneForm
from feedback_api.console.templating import render, translate, ui_language
from feedback_api.deps import SessionDep
from feedback_api.errors import Unprocessable
from feedback_api.taxonomy import Role
from feedback_api.users.models import User
from persian_text import languages

router = APIRouter()

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
    return render(request, "phone.html", {"active": "phone", "values": {}, **choices()})


def _case_data(form: PhoneForm) -> CaseCreate:
    return CaseCreate(
        type=CaseType(form.type),
        category=form.category,
        topic=form.topic or "GEN",
        channel="phone",
        language=form.language if form.language in languages.registry().codes("people") else None,
        province=form.province or None,
        description=form.description or None,
        preferred_operator_gender=form.preferred_operator_gender or None,
    )


def _form_again(request: Request, form: PhoneForm, key: str) -> Response:
    """The form as it was sent, saying what is wrong (422)."""
    error = translate(ui_language(request), key)
    context = {"active": "phone", "values": form.model_dump(), "error": error, **choices()}
    return render(request, "phone.html", context, status_code=422)


@router.post("/phone")
def phone_submit(
    request: Request,
    user: PhoneWorker,
    session: SessionDep,
    form: Annotated[PhoneForm, Form()],
) -> Response:
    try:
        data = _case_data(form)
    except ValueError:
        return _form_again(request, form, "error.form")
    try:
        case = flows.log_phone_call(
            session, data, user=user, number=form.number, consent=form.consent
        )
    except Unprocessable as exc:
        # The call's codes (number_needs_consent, bad_number) are UI keys under phone.
        return _form_again(request, form, f"phone.{exc.code}")
    if access.can_see(user.role, case.sensitivity, case.category):
        return redirect(f"{PREFIX}/cases/{case.reference}")
    note = translate(ui_language(request), "phone.routed", ref=references.display(case.reference))
    return render(
        request, "phone.html", {"active": "phone", "values": {}, "flash": note, **choices()}
    )
