"""Case endpoints: the bot's (service token) and the staff's (user login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

import case_reference as references
from feedback_api.cases import access, notices, queries, service
from feedback_api.cases.due import is_overdue, next_due
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import (
    Assignment,
    BotCaseCreate,
    CaseCreate,
    CaseCreated,
    CaseDetail,
    CaseFilters,
    CasePage,
    CaseSummary,
    ContactCase,
    ContactCases,
    ContactCaseStatus,
    MessageIn,
    NoteIn,
    SensitivityChange,
    SensitivityChanged,
    StatusChange,
    TimelineOut,
)
from feedback_api.cases.state_machine import CLOSED
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.deps import CurrentUserDep, MessagingDep, ServiceDep, SessionDep, case_for
from feedback_api.errors import documented
from feedback_api.languages import Language
from feedback_api.users.models import User
from persian_text import languages

# Under /api/v1/bot: the cases, and the list of one contact's cases.
bot_router = APIRouter(
    prefix="/api/v1/bot",
    tags=["bot"],
    dependencies=[ServiceDep],
    responses=documented(401, 404, 409),
)
staff_router = APIRouter(
    prefix="/api/v1/cases", tags=["cases"], responses=documented(401, 403, 404, 409)
)
# The case of the path for the staff user (404 if they may not see it), audited as named.
ReadCase = Annotated[Case, Depends(case_for("case.read"))]
StatusCase = Annotated[Case, Depends(case_for("case.status.read"))]
AssignCase = Annotated[Case, Depends(case_for("case.assign.read"))]
NoteCase = Annotated[Case, Depends(case_for("case.note.read"))]
SensitivityCase = Annotated[Case, Depends(case_for("case.sensitivity.read"))]


def _created(case: Case, created: bool) -> CaseCreated:
    return CaseCreated(
        reference=case.reference,
        reference_display=references.display(case.reference),
        status=case.status,
        category=case.category,
        topic=case.topic,
        sensitivity=case.sensitivity,
        created=created,
    )


@bot_router.post(
    "/cases",
    response_model=CaseCreated,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": CaseCreated, "description": "the case already made with this client_key"}
    },
)
def bot_create_case(
    body: BotCaseCreate, session: SessionDep, messaging: MessagingDep, response: Response
) -> CaseCreated:
    contact = contacts.get_or_create(session, body.contact, channel=body.channel)
    if body.callback_consent is not None:
        contacts.set_consent(
            session, contact, body.callback_consent, body.preferred_operator_gender
        )
    case, created = service.create_case(
        session,
        body,
        actor="bot",
        contact=contact,
        client_key=body.client_key,
        notify_contact=body.notify_contact,
        messaging=messaging,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _created(case, created)


def _labels_language(asked: str | None, contact: Contact | None) -> str:
    """The language of words for a person: asked, else theirs, else the default."""
    return languages.registry().pick(asked or (contact.language if contact else None)).code


@bot_router.get("/cases/{reference}", response_model=ContactCaseStatus)
def bot_case_status(
    reference: str,
    contact: Annotated[str, Query(min_length=8, max_length=32)],
    session: SessionDep,
    language: Language | None = None,
) -> ContactCaseStatus:
    """A case of the contact's, its status in words in `language`, else the contact's
    language, else the default language."""
    case = queries.get_for_contact(session, reference, contact)
    labels_in = _labels_language(language, contacts.find(session, contact))
    return ContactCaseStatus(
        reference=case.reference,
        reference_display=references.display(case.reference),
        status=case.status,
        status_label=notices.status_labels().text(case.status, labels_in),
        language=labels_in,
        category=case.category,
        updated_at=case.updated_at,
        closed=case.status in CLOSED,
    )


@bot_router.post("/cases/{reference}/messages", status_code=status.HTTP_201_CREATED)
def bot_append_message(reference: str, body: MessageIn, session: SessionDep) -> dict[str, bool]:
    case = queries.get_for_contact(session, reference, body.contact)
    actor = "contact" if body.direction == "in" else "bot"
    service.add_message(session, case, body.direction, body.text, actor=actor)
    return {"ok": True}


@bot_router.get("/contacts/{pseudonym}/cases", response_model=ContactCases)
def bot_contact_cases(
    pseudonym: Annotated[str, Path(min_length=8, max_length=32, pattern=r"^[a-z2-7]+$")],
    session: SessionDep,
    language: Language | None = None,
) -> ContactCases:
    """The contact's open cases, so a person can follow up without their reference.

    Labels are in `language`, else the contact's language, else the default language.
    An unknown contact has no cases (it is not created).
    """
    contact = contacts.find(session, pseudonym)
    labels_in = _labels_language(language, contact)
    found = queries.open_for_contact(session, contact) if contact else []
    return ContactCases(
        language=labels_in,
        cases=[
            ContactCase(
                reference=case.reference,
                reference_display=references.display(case.reference),
                status=case.status,
                status_label=notices.status_labels().text(case.status, labels_in),
                category_label=notices.category_labels().text(case.category, labels_in),
                updated_at=case.updated_at,
            )
            for case in found
        ],
    )


def summary(case: Case, assignee: str | None) -> CaseSummary:
    return CaseSummary(
        reference=case.reference,
        reference_display=references.display(case.reference),
        type=case.type,
        category=case.category,
        topic=case.topic,
        sensitivity=case.sensitivity,
        channel=case.channel,
        language=case.language,
        province=case.province,
        status=case.status,
        assignee=assignee,
        created_at=case.created_at,
        ack_due_at=case.ack_due_at,
        act_due_at=case.act_due_at,
        close_due_at=case.close_due_at,
        next_due_at=next_due(case),
        overdue=is_overdue(case),
    )


def _username(session: SessionDep, user_id: int | None) -> str | None:
    return session.get(User, user_id).username if user_id else None  # type: ignore[union-attr]


def detail(session: SessionDep, case: Case) -> CaseDetail:
    return CaseDetail(
        **summary(case, _username(session, case.assignee_id)).model_dump(),
        description=case.description,
        preferred_operator_gender=case.preferred_operator_gender,
        acknowledged_at=case.acknowledged_at,
        first_action_at=case.first_action_at,
        closed_at=case.closed_at,
        satisfaction=case.satisfaction,
        allowed_moves=service.moves_for(case),
        timeline=[TimelineOut.model_validate(entry) for entry in case.timeline],
    )


@staff_router.get("", response_model=CasePage)
def list_cases(
    user: CurrentUserDep, session: SessionDep, filters: Annotated[CaseFilters, Depends()]
) -> CasePage:
    total, cases = queries.list_for_user(session, user, filters)
    return CasePage(
        total=total, items=[summary(case, _username(session, case.assignee_id)) for case in cases]
    )


@staff_router.post("", response_model=CaseCreated, status_code=status.HTTP_201_CREATED)
def create_case(body: CaseCreate, user: CurrentUserDep, session: SessionDep) -> CaseCreated:
    """Log a case by hand, for example a hotline call (channel `phone`).

    The answer holds no content: an operator may log an S3 case they cannot see.
    """
    case, created = service.create_case(session, body, actor=f"user:{user.username}", user=user)
    return _created(case, created)


@staff_router.get("/{reference}", response_model=CaseDetail)
def get_case(case: ReadCase, session: SessionDep) -> CaseDetail:
    return detail(session, case)


@staff_router.post("/{reference}/status", response_model=CaseDetail)
def change_status(
    case: StatusCase,
    body: StatusChange,
    user: CurrentUserDep,
    session: SessionDep,
    messaging: MessagingDep,
) -> CaseDetail:
    """Closing the loop (CLOSED_LOOP) asks the person how satisfied they are."""
    service.change_status(
        session,
        case,
        body.status,
        actor=f"user:{user.username}",
        user=user,
        messaging=messaging,
        reason=body.reason,
    )
    return detail(session, case)


@staff_router.post("/{reference}/assign", response_model=CaseDetail)
def assign_case(
    case: AssignCase, body: Assignment, user: CurrentUserDep, session: SessionDep
) -> CaseDetail:
    service.assign(session, case, body.username, user=user)
    return detail(session, case)


@staff_router.post(
    "/{reference}/notes", response_model=CaseDetail, status_code=status.HTTP_201_CREATED
)
def add_note(case: NoteCase, body: NoteIn, user: CurrentUserDep, session: SessionDep) -> CaseDetail:
    service.add_note(session, case, body.text, user=user)
    return detail(session, case)


@staff_router.post("/{reference}/sensitivity", response_model=SensitivityChanged)
def change_sensitivity(
    case: SensitivityCase, body: SensitivityChange, user: CurrentUserDep, session: SessionDep
) -> SensitivityChanged:
    """Raising may take the case out of the caller's own view: the answer says so."""
    service.change_sensitivity(session, case, body.sensitivity, body.reason, user=user)
    return SensitivityChanged(
        reference=case.reference,
        sensitivity=case.sensitivity,
        still_visible=access.can_see(user.role, case.sensitivity, case.category),
    )
