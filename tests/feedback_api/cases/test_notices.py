"""A person who agreed to be contacted hears when their case moves, in their language."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import case_reference as references
from channels.models import OutboxMessage
from feedback_api.cases import notices
from feedback_api.cases.models import Case
from feedback_api.contacts.models import Contact
from persian_text import sms
from tests.factories import auth, make_case, make_contact, make_user


def _consenting(session: Session, language: str) -> Contact:
    contact = make_contact(session, "sms")
    contact.callback_consent = True
    contact.language = language
    session.commit()
    return contact


def _move(client: TestClient, case: Case, headers: dict[str, str], *targets: str) -> None:
    for target in targets:
        moved = client.post(
            f"/api/v1/cases/{case.reference}/status", json={"status": target}, headers=headers
        )
        assert moved.status_code == 200, moved.text


def _sent(session: Session, contact: Contact) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.contact_id == contact.id)
            .order_by(OutboxMessage.id)
        )
    )


def test_acknowledged_referred_and_answered_are_told_in_dari_within_two_sms(
    client: TestClient, session: Session
) -> None:
    contact = _consenting(session, "prs")
    case = make_case(session, contact=contact, language="prs")
    headers = auth(make_user(session, "cfm_manager"))
    _move(client, case, headers, "ACKNOWLEDGED", "REFERRED_EXTERNAL", "RESPONDED")
    sent = _sent(session, contact)
    assert [m.template for m in sent] == ["case_status"] * 3
    labels = notices.status_labels()
    for message, status in zip(
        sent, ("ACKNOWLEDGED", "REFERRED_EXTERNAL", "RESPONDED"), strict=True
    ):
        assert references.display(case.reference) in message.text
        assert labels.text(status, "prs") in message.text
        assert sms.segments(message.text) <= 2
    # Closing the loop asks how satisfied they are rather than telling the status again.
    _move(client, case, headers, "CLOSED_LOOP")
    assert _sent(session, contact)[-1].template == "satisfaction_question"


def test_no_consent_no_status_message(client: TestClient, session: Session) -> None:
    contact = make_contact(session, "sms")
    case = make_case(session, contact=contact)
    _move(client, case, auth(make_user(session, "operator")), "ACKNOWLEDGED", "IN_PROGRESS")
    assert _sent(session, contact) == []


def test_a_survivor_gets_no_automatic_message(client: TestClient, session: Session) -> None:
    contact = _consenting(session, "fa")
    case = make_case(session, contact=contact, category="SEA", sensitivity="S3")
    headers = auth(make_user(session, "psea_focal_point"))
    _move(client, case, headers, "REFERRED_INTERNAL", "CLOSED_REFERRED")
    assert _sent(session, contact) == []
