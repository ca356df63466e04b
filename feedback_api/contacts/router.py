"""Bot-facing contact endpoints: consent, language, delete my data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from feedback_api.contacts import flows, service
from feedback_api.contacts.models import Contact
from feedback_api.contacts.schemas import ConsentIn, ContactOut, Deleted, LanguageIn
from feedback_api.deps import MessagingDep, ServiceDep, SessionDep
from feedback_api.errors import documented

router = APIRouter(
    prefix="/api/v1/bot/contacts",
    tags=["bot"],
    dependencies=[ServiceDep],
    responses=documented(401),
)

PseudonymPath = Annotated[str, Path(min_length=8, max_length=32, pattern=r"^[a-z2-7]+$")]


def _out(contact: Contact) -> ContactOut:
    return ContactOut(
        pseudonym=contact.pseudonym,
        language=contact.language,
        callback_consent=contact.callback_consent,
    )


@router.put("/{pseudonym}/consent", response_model=ContactOut)
def record_consent(pseudonym: PseudonymPath, body: ConsentIn, session: SessionDep) -> ContactOut:
    contact = service.get_or_create(session, pseudonym, channel="web")
    service.set_consent(session, contact, body.callback, body.preferred_operator_gender)
    return _out(contact)


@router.put("/{pseudonym}/language", response_model=ContactOut)
def record_language(pseudonym: PseudonymPath, body: LanguageIn, session: SessionDep) -> ContactOut:
    contact = service.get_or_create(session, pseudonym, channel="web")
    contact.language = body.language
    return _out(contact)


@router.delete("/{pseudonym}", response_model=Deleted)
def delete_my_data(
    pseudonym: PseudonymPath, session: SessionDep, messaging: MessagingDep
) -> Deleted:
    """Erase the address and message texts of this contact; anonymous case figures stay.

    An open S3 report stays with its focal point, anonymous: `kept_reports` counts them.
    """
    contact = service.find(session, pseudonym)
    kept = flows.delete_my_data(session, contact, messaging) if contact is not None else 0
    return Deleted(deleted=True, kept_reports=kept)
