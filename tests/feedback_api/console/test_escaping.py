"""Text from people and staff renders as text: never as HTML or script."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels import gateway as gateway_service
from channels.models import InboundMessage
from feedback_api.cases import service as cases
from feedback_api.handoff import service as handoffs
from tests.factories import csrf_of, login_as, make_case, make_contact, make_user

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _clean(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_case_page_escapes_everything(client: TestClient, session: Session) -> None:
    user = make_user(session, "operator")
    case = make_case(session, description=EVIL)
    cases.add_note(session, case, EVIL, user=user)
    case.referral = EVIL
    session.commit()
    login_as(client, user)
    _clean(client.get(f"/console/cases/{case.reference}").text)


def test_chat_escapes_messages(client: TestClient, session: Session) -> None:
    user = make_user(session, "operator")
    contact = make_contact(session, "telegram", "777")
    session.add(
        InboundMessage(
            channel="telegram",
            transport="telegram",
            external_id="1",
            contact_id=contact.id,
            text=EVIL,
        )
    )
    gateway_service.send_text(session, contact, EVIL, kind="reply", sender="bot")
    handoff = handoffs.request_human(session, contact, EVIL[:60], None)
    session.commit()
    login_as(client, user)
    _clean(client.get(f"/console/chat/{handoff.id}").text)
    _clean(client.get("/console/").text)
    _clean(client.get("/console/queue/handoffs").text)
    # JSON for chat.js, which inserts text with textContent only.
    data = client.get(f"/console/chat/{handoff.id}/messages.json").json()
    assert EVIL in [line["text"] for line in data["lines"]]


def test_forms_echo_escaped(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "operator"))
    response = client.post(
        "/console/phone",
        data={
            "category": "INF",
            "description": EVIL,
            "number": "0912",
            "csrf_token": csrf_of(client),
        },
    )
    assert response.status_code == 422
    _clean(response.text)


def test_user_names_escaped(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "admin"))
    response = client.post(
        "/console/admin/users",
        data={
            "username": "x1",
            "display_name": EVIL,
            "role": "operator",
            "password": "long enough pw",
            "csrf_token": csrf_of(client),
        },
    )
    _clean(response.text)
