"""Case work from every door: closing asks the person, the outcome, referral, phone calls."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import ContactState, OutboxMessage
from feedback_api.audit.models import AuditEntry
from feedback_api.cases import flows
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.cases.state_machine import Status
from feedback_api.contacts.models import Contact
from feedback_api.errors import Conflict, Unprocessable
from feedback_api.main import messaging
from feedback_api.messaging import NoMessaging
from feedback_api.users.models import User
from tests.factories import auth, make_case, make_contact, make_user


def _templates(session: Session, contact_id: str) -> list[str | None]:
    return list(
        session.scalars(
            select(OutboxMessage.template)
            .where(OutboxMessage.contact_id == contact_id)
            .order_by(OutboxMessage.id)
        )
    )


def test_closing_through_the_staff_api_asks_the_person_how_satisfied_they_are(
    client: TestClient, session: Session
) -> None:
    contact = make_contact(session, "sms")
    case = make_case(session, contact=contact)
    headers = auth(make_user(session, "operator"))
    for target in ("ACKNOWLEDGED", "RESPONDED"):
        moved = client.post(
            f"/api/v1/cases/{case.reference}/status", json={"status": target}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    assert _templates(session, contact.id) == []
    closed = client.post(
        f"/api/v1/cases/{case.reference}/status", json={"status": "CLOSED_LOOP"}, headers=headers
    )
    assert closed.status_code == 200 and closed.json()["status"] == "CLOSED_LOOP"
    assert _templates(session, contact.id) == ["satisfaction_question"]
    state = session.get(ContactState, contact.id)
    assert state is not None and state.pending_satisfaction_case_id == case.id


def _acknowledge(session: Session, case: Case, user: User) -> None:
    actor = f"user:{user.username}"
    cases.change_status(
        session, case, Status.ACKNOWLEDGED, actor=actor, user=user, messaging=NoMessaging()
    )


def test_closing_without_a_gateway_or_a_person_still_closes(session: Session) -> None:
    user = make_user(session, "operator")
    anonymous = make_case(session)
    reachable = make_case(session, contact=make_contact(session, "sms"))
    for case in (anonymous, reachable):
        _acknowledge(session, case, user)
        cases.close_loop(session, case, user=user, messaging=NoMessaging())
        assert case.status == "CLOSED_LOOP" and case.loop_closed_at is not None
    assert [e.to_status for e in reachable.timeline if e.kind == "status_change"] == [
        "ACKNOWLEDGED",
        "RESPONDED",
        "CLOSED_LOOP",
    ]


def test_the_outcome_goes_to_the_person_and_closes_the_loop(session: Session) -> None:
    contact = make_contact(session, "telegram", "990011")
    case = make_case(session, contact=contact)
    user = make_user(session, "operator")
    _acknowledge(session, case, user)
    flows.send_outcome(session, messaging(), case, "Your answer is ready", user=user, close=True)
    assert case.status == "CLOSED_LOOP"
    assert [e.kind for e in case.timeline][-3:] == [
        "message_out",
        "status_change",
        "status_change",
    ]
    assert case.timeline[-3].body == "Your answer is ready"
    assert _templates(session, contact.id) == [None, "satisfaction_question"]


def test_the_outcome_needs_a_way_to_the_person(session: Session) -> None:
    case = make_case(session)
    with pytest.raises(Conflict) as refused:
        flows.send_outcome(session, messaging(), case, "hello", user=make_user(session))
    assert refused.value.code == "no_contact" and refused.value.status_code == 409
    assert [e.kind for e in case.timeline] == ["created"]


def test_a_referral_is_kept_encrypted_and_marked_on_the_timeline(session: Session) -> None:
    user = make_user(session, "cfm_manager")
    plain, restricted = make_case(session), make_case(session, category="FRD")
    for case in (plain, restricted):
        cases.set_referral(session, case, "UNHCR office, ref 42", user=user)
        entry = case.timeline[-1]
        assert (entry.kind, entry.actor, entry.body) == (
            "referral",
            f"user:{user.username}",
            None,
        )
        assert case.referral == "UNHCR office, ref 42"
    audited = session.scalars(
        select(AuditEntry.case_id).where(AuditEntry.action == "case.referral")
    ).all()
    assert audited == [restricted.id]  # only the restricted one


def _call(**overrides: object) -> CaseCreate:
    fields: dict[str, object] = {
        "type": CaseType.complaint,
        "category": "CMN",
        "topic": "GEN",
        "channel": "phone",
        "language": "prs",
    }
    return CaseCreate.model_validate({**fields, **overrides})


def test_a_call_keeps_the_number_only_with_consent(session: Session) -> None:
    user = make_user(session, "operator")
    anonymous = flows.log_phone_call(session, _call(), user=user)
    assert anonymous.channel == "phone" and anonymous.contact_id is None
    for number, consent, code in (
        ("0912 123 4567", False, "number_needs_consent"),
        ("12", True, "bad_number"),
    ):
        with pytest.raises(Unprocessable) as refused:
            flows.log_phone_call(session, _call(), user=user, number=number, consent=consent)
        assert refused.value.code == code and refused.value.status_code == 422
    kept = flows.log_phone_call(session, _call(), user=user, number="0912 123 4567", consent=True)
    contact = session.get(Contact, kept.contact_id)
    assert contact is not None and contact.callback_consent and contact.language == "prs"
    assert contact.vault is not None and contact.vault.address == "+989121234567"
    assert session.scalars(select(Case.created_by).where(Case.id == kept.id)).one() == (
        f"user:{user.username}"
    )
