"""Logging a hotline call; managing users; the SMS segment rule."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.console.service import normalise_phone, sms_segments
from feedback_api.contacts import service as contacts
from feedback_api.users.models import User
from tests.console.factories import csrf_of, login_as, make_user


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


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("[" * 80, "GSM-7", 1),
        ("[" * 81, "GSM-7", 2),
        ("س" * 70, "UCS-2", 1),
        ("س" * 71, "UCS-2", 2),
        ("س" * 134, "UCS-2", 2),
        ("س" * 135, "UCS-2", 3),
        ("a" * 69 + "😀", "UCS-2", 2),
    ],
)
def test_sms_segments(text: str, encoding: str, segments: int) -> None:
    result = sms_segments(text)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_normalise_phone() -> None:
    assert normalise_phone("0912-123-4567") == "+989121234567"
    assert normalise_phone("۰۰۹۳۷۰۰۱۲۳۴۵۶") == "+93700123456"
    assert normalise_phone("abc") is None


def test_ready_texts_fit_one_sms_segment() -> None:
    from feedback_api.console.service import closing_texts

    for key, entry in closing_texts().items():
        assert set(entry) >= {"label", "fa", "prs"}
        limit = 2 if key == "chat_ended" else 1
        for variety in ("fa", "prs"):
            text = entry[variety].format(ref="1234-5678")
            assert sms_segments(text).segments <= limit, (key, variety)
