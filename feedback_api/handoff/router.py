from __future__ import annotations

from fastapi import APIRouter, status

from feedback_api.cases import queries
from feedback_api.contacts import service as contacts
from feedback_api.contacts.router import PseudonymPath
from feedback_api.deps import ServiceDep, SessionDep
from feedback_api.errors import documented
from feedback_api.handoff import service
from feedback_api.handoff.schemas import HandoffQueued, HandoffRequest

router = APIRouter(
    prefix="/api/v1/bot/contacts",
    tags=["bot"],
    dependencies=[ServiceDep],
    responses=documented(401, 404),
)


@router.post(
    "/{pseudonym}/handoff", response_model=HandoffQueued, status_code=status.HTTP_201_CREATED
)
def request_human(
    pseudonym: PseudonymPath, body: HandoffRequest, session: SessionDep
) -> HandoffQueued:
    """Put the person in the operators' queue and tell them what to expect."""
    contact = contacts.get_or_create(session, pseudonym, channel="web")
    case = (
        queries.get_for_contact(session, body.case_reference, pseudonym)
        if body.case_reference
        else None
    )
    handoff = service.request_human(session, contact, body.reason, case)
    return HandoffQueued.model_validate(service.queue_info(session, handoff))
