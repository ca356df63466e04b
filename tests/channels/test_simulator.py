"""The staff simulator goes through the same pipeline, on the web transport."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels import turns
from tests.channels.conftest import FakeRasa, Recorder, run
from tests.factories import auth, login_as, make_user

HEADERS = {"X-Simulator": "1"}


def test_simulator_needs_a_staff_login(client: TestClient) -> None:
    assert client.get("/simulator").status_code == 401
    body = {"channel": "sms", "conversation": "abc", "text": "سلام"}
    assert client.post("/simulator/api/send", json=body, headers=HEADERS).status_code == 401


def test_with_the_login_cookie_the_page_gives_the_csrf_token_the_calls_need(
    client: TestClient, session: Session
) -> None:
    csrf = login_as(client, make_user(session))
    page = client.get("/simulator")
    assert f'<meta name="csrf-token" content="{csrf}">' in page.text
    body = {"channel": "sms", "conversation": "c1", "text": "سلام"}
    assert client.post("/simulator/api/send", json=body, headers=HEADERS).status_code == 403
    sent = client.post("/simulator/api/send", json=body, headers=HEADERS | {"X-CSRF-Token": csrf})
    assert sent.status_code == 200 and sent.json()["stored"] is True


def test_simulated_sms_conversation_shows_segments(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    headers = auth(make_user(session)) | HEADERS
    page = client.get("/simulator", headers=headers)
    assert page.status_code == 200 and "/simulator/static/simulator.js" in page.text
    assert client.get("/simulator/static/simulator.js").status_code == 200
    assert "cdn" not in page.text.lower()
    body = {"channel": "sms", "conversation": "abc1", "text": "سلام"}
    assert client.post("/simulator/api/send", json=body, headers=headers).status_code == 200
    assert (
        client.post("/simulator/api/send", json=body, headers=auth(make_user(session))).status_code
        == 400
    )
    rasa.replies = [{"text": "زبان:", "buttons": [{"title": "دری", "payload": "/a"}]}]
    run(turns.process_pending(session, rasa))
    deliver()
    assert recorders["sms"].sent == []  # nothing left through a real provider
    data = client.get(
        "/simulator/api/messages",
        params={"channel": "sms", "conversation": "abc1"},
        headers=headers,
    ).json()
    (message,) = data["messages"]
    assert message["text"] == "زبان:\n۱. دری" and message["segments"] == 1
    assert message["encoding"] == "UCS-2" and message["status"] == "sent"
    assert rasa.calls[0]["metadata"]["channel"] == "sms"


def test_simulated_telegram_button_press(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    headers = auth(make_user(session)) | HEADERS
    client.post(
        "/simulator/api/send",
        json={"channel": "telegram", "conversation": "t1", "text": "/start"},
        headers=headers,
    )
    rasa.replies = [{"text": "زبان:", "buttons": [{"title": "دری", "payload": "/a"}]}]
    run(turns.process_pending(session, rasa))
    data = client.get(
        "/simulator/api/messages",
        params={"channel": "telegram", "conversation": "t1"},
        headers=headers,
    ).json()
    assert data["messages"][0]["buttons"] == [{"title": "دری", "data": "/a"}]
    client.post(
        "/simulator/api/send",
        json={"channel": "telegram", "conversation": "t1", "payload": "/a"},
        headers=headers,
    )
    run(turns.process_pending(session, rasa))
    assert [c["message"] for c in rasa.calls] == ["/greet", "/a"]
