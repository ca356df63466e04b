"""Logging a hotline call; managing users; the SMS segment rule."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.contacts import service as contacts
from feedback_api.contacts.phones import e164
from feedback_api.users.models import User
from persian_text import languages, sms
from tests.factories import csrf_of, login_as, make_user


def _call(client: TestClient, **data: str) -> object:
    return client.post(
        "/console/phone", data={**data, "csrf_token": csrf_of(client)}, follow_redirects=False
    )


def test_log_a_call_without_number(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "operator"))
    response = _call(client, type="question", category="INF", topic="DOC", description="Amayesh")
    assert response.status_code == 303  # type: ignore[attr-defined]
    reference = response.headers["location"].rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    case = session.scalar(select(Case).where(Case.reference == reference))
    assert case is not None and case.channel == "phone" and case.contact_id is None


def test_number_only_with_consent(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "operator"))
    refused = _call(client, category="CMN", number="0912 123 4567")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert session.scalar(select(Case.id).where(Case.channel == "phone")) is None
    ok = _call(client, category="CMN", number="۰۹۱۲ ۱۲۳ ۴۵۶۷", consent="true", language="prs")
    assert ok.status_code == 303  # type: ignore[attr-defined]
    case = session.scalar(select(Case).where(Case.channel == "phone"))
    assert case is not None and case.contact_id is not None
    contact = contacts.find(session, contacts.pseudonym_for("phone", "+989121234567"))
    assert contact is not None and contact.callback_consent and contact.language == "prs"
    assert contacts.address_of(contact) == "+989121234567"


def test_s3_call_is_routed_away_from_the_operator(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "operator"))
    response = _call(client, category="SEA", type="report", description="details")
    assert response.status_code == 200  # type: ignore[attr-defined]
    case = session.scalar(select(Case).where(Case.category == "SEA"))
    assert case is not None and case.sensitivity == "S3"
    assert "details" not in response.text  # type: ignore[attr-defined]


def test_admin_manages_users(client: TestClient, session: Session) -> None:
    admin = make_user(session, "admin")
    login_as(client, admin)
    created = client.post(
        "/console/admin/users",
        data={
            "username": "maryam",
            "role": "psea_focal_point",
            "password": "long enough pw",
            "gender": "female",
            "csrf_token": csrf_of(client),
        },
    )
    assert created.status_code == 200
    user = session.scalar(select(User).where(User.username == "maryam"))
    assert user is not None and user.role == "psea_focal_point"
    short = client.post(
        "/console/admin/users",
        data={
            "username": "x2",
            "role": "operator",
            "password": "short",
            "csrf_token": csrf_of(client),
        },
    )
    assert short.status_code == 422
    client.post(
        f"/console/admin/users/{user.id}/active",
        data={"active": "false", "csrf_token": csrf_of(client)},
    )
    session.refresh(user)
    assert not user.is_active
    operator = make_user(session, "operator")
    login_as(client, operator)
    assert client.get("/console/admin/users").status_code == 404


def test_phone_numbers_become_e164() -> None:
    assert e164("0912-123-4567") == "+989121234567"
    assert e164("۰۰۹۳۷۰۰۱۲۳۴۵۶") == "+93700123456"
    assert e164("+98 912 123 4567") == "+989121234567"
    assert e164("abc") is None


def test_ready_texts_fit_one_sms_segment() -> None:
    from feedback_api.console.service import closing_texts

    texts = closing_texts()
    for key in texts:
        assert set(texts.entry(key)) == {"fa", "prs"}
        limit = 2 if key == "chat_ended" else 1
        for variety in ("fa", "prs"):
            text = texts.text(key, variety, ref="1234-5678")
            budget = sms.capacity(languages.registry().get(variety).sms, limit)
            assert sms.measure(text).units <= budget, (key, variety)


def test_a_message_that_cannot_reach_a_caller_is_shown_as_undeliverable(
    client: TestClient, session: Session
) -> None:
    """No SMS route here (no Twilio settings): the closing message is refused on the spot."""
    login_as(client, make_user(session, "operator"))
    logged = _call(client, category="CMN", number="09121239876", consent="true")
    reference = logged.headers["location"].rsplit("/", 1)[-1]  # type: ignore[attr-defined]
    sent = client.post(
        f"/console/cases/{reference}/message",
        data={"text": "درخواست شما حل شد", "close": "true", "csrf_token": csrf_of(client)},
    )
    assert sent.status_code == 409
    assert 'role="alert"' in sent.text and 'id="undelivered"' in sent.text
    assert "درخواست شما حل شد" in sent.text and "no SMS route" in sent.text
    case = session.scalar(select(Case).where(Case.reference == reference))
    assert case is not None and case.status == "NEW"  # the loop is not closed on a lie
    page = client.get(f"/console/cases/{reference}")
    assert 'id="undelivered"' in page.text
