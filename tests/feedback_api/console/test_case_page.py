"""The case page: status moves, notes, assignment, referral, closing the loop, masking."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import ContactState, OutboxMessage
from feedback_api.audit.models import AuditEntry
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.contacts import service as contacts
from feedback_api.users.models import User
from tests.factories import csrf_of, login_as, make_case, make_contact, make_user


def _post(client: TestClient, url: str, **data: str) -> object:
    return client.post(url, data={**data, "csrf_token": csrf_of(client)}, follow_redirects=False)


def test_status_moves_follow_the_state_machine(client: TestClient, session: Session) -> None:
    case = make_case(session)
    login_as(client, make_user(session, "operator"))
    page = client.get(f"/console/cases/{case.reference}").text
    assert 'data-move="ACKNOWLEDGED"' in page and 'data-move="CLOSED_LOOP"' not in page
    ok = _post(client, f"/console/cases/{case.reference}/status", target="ACKNOWLEDGED")
    assert ok.status_code == 303  # type: ignore[attr-defined]
    bad = _post(client, f"/console/cases/{case.reference}/status", target="CLOSED_LOOP")
    assert bad.status_code == 409  # type: ignore[attr-defined]
    junk = _post(client, f"/console/cases/{case.reference}/status", target="nonsense")
    assert junk.status_code == 409  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(Case, case.id).status == "ACKNOWLEDGED"  # type: ignore[union-attr]


def test_note_assignment_referral(client: TestClient, session: Session) -> None:
    case = make_case(session)
    user = make_user(session, "operator", "op_a")
    make_user(session, "psea_focal_point", "psea_a")
    login_as(client, user)
    _post(client, f"/console/cases/{case.reference}/note", text="called the clinic")
    _post(client, f"/console/cases/{case.reference}/assign", assignee="op_a")
    refused = _post(client, f"/console/cases/{case.reference}/assign", assignee="psea_a")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    _post(client, f"/console/cases/{case.reference}/referral", text="UNHCR office, ref 42")
    session.expire_all()
    fresh = session.get(Case, case.id)
    assert fresh is not None and fresh.assignee_id == user.id
    assert fresh.referral == "UNHCR office, ref 42"
    page = client.get(f"/console/cases/{case.reference}").text
    assert "called the clinic" in page and "UNHCR office, ref 42" in page


def test_closing_the_loop_sends_and_asks_satisfaction(client: TestClient, session: Session) -> None:
    contact = make_contact(session, "telegram", "424242")
    contact.language = "prs"
    case = make_case(session, contact=contact, language="prs")
    user = make_user(session, "operator")
    login_as(client, user)
    page = client.get(f"/console/cases/{case.reference}").text
    assert "دوسیه" in page and "پرونده" in page
    _post(client, f"/console/cases/{case.reference}/status", target="ACKNOWLEDGED")
    response = _post(
        client, f"/console/cases/{case.reference}/message", text="جواب تان آماده است", close="true"
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    fresh = session.get(Case, case.id)
    assert fresh is not None and fresh.status == "CLOSED_LOOP"
    sent = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact.id)
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.kind for m in sent] == ["operator", "notice"]
    assert sent[0].text == "جواب تان آماده است"
    assert sent[0].sender == f"operator:{user.username}"
    assert sent[1].template == "satisfaction_question"
    state = session.get(ContactState, contact.id)
    assert state is not None and state.pending_satisfaction_case_id == case.id
    cases.record_satisfaction(session, fresh, 4)
    session.commit()
    assert "<strong>4</strong> / 5" in client.get(f"/console/cases/{case.reference}").text


def test_status_move_to_closed_loop_asks_satisfaction(client: TestClient, session: Session) -> None:
    contact = make_contact(session, "sms")
    case = make_case(session, contact=contact)
    login_as(client, make_user(session, "operator"))
    for target in ("ACKNOWLEDGED", "RESPONDED", "CLOSED_LOOP"):
        _post(client, f"/console/cases/{case.reference}/status", target=target)
    templates = session.scalars(
        select(OutboxMessage.template).where(OutboxMessage.contact_id == contact.id)
    ).all()
    assert templates == ["satisfaction_question"]


def test_numbers_are_masked_until_revealed(client: TestClient, session: Session) -> None:
    contact = make_contact(session, "sms", "+989121234567")
    contacts.set_consent(session, contact, True, None)
    case = make_case(session, contact=contact)
    user = make_user(session, "operator", "op_mask")
    login_as(client, user)
    page = client.get(f"/console/cases/{case.reference}").text
    assert "+989121234567" not in page and "+989•••••••67" in page
    assert 'id="show-number"' not in page  # not assigned yet
    assert _post(client, f"/console/cases/{case.reference}/reveal").status_code == 404  # type: ignore[attr-defined]
    _post(client, f"/console/cases/{case.reference}/assign", assignee="op_mask")
    assert 'id="show-number"' in client.get(f"/console/cases/{case.reference}").text
    revealed = _post(client, f"/console/cases/{case.reference}/reveal")
    assert "+989121234567" in revealed.text  # type: ignore[attr-defined]
    audits = session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case.id)).all()
    assert "contact.reveal" in audits


def test_no_number_without_consent_or_on_restricted(client: TestClient, session: Session) -> None:
    plain = make_contact(session, "sms", "+989121111111")
    case = make_case(session, contact=plain)
    user = make_user(session, "cfm_manager", "mgr_mask")
    cases.assign(session, case, user.username, user=user)
    consenting = make_contact(session, "sms", "+989122222222")
    contacts.set_consent(session, consenting, True, None)
    restricted = make_case(session, category="FRD", contact=consenting)
    cases.assign(session, restricted, user.username, user=user)
    session.commit()
    login_as(client, user)
    for c in (case, restricted):
        page = client.get(f"/console/cases/{c.reference}").text
        assert 'id="show-number"' not in page
        assert _post(client, f"/console/cases/{c.reference}/reveal").status_code == 404  # type: ignore[attr-defined]
    assert "+98912222" not in client.get(f"/console/cases/{restricted.reference}").text


def test_assign_from_queue(client: TestClient, session: Session) -> None:
    case = make_case(session)
    user = make_user(session, "operator")
    login_as(client, user)
    response = client.post(
        f"/console/cases/{case.reference}/assign",
        data={"assignee": user.username, "csrf_token": csrf_of(client)},
        headers={"referer": "http://testserver/console/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/"
    assert session.scalar(select(User.id).where(User.id == case.assignee_id)) == user.id
