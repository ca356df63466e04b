"""Live chat: claim, reply through the outbox, end and hand back to the assistant."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import OutboxMessage
from feedback_api.handoff.models import Handoff
from tests.console.factories import csrf_of, login_as, make_handoff, make_user


def test_claim_reply_end(client: TestClient, session: Session) -> None:
    handoff = make_handoff(session)
    contact_id = handoff.contact_id
    operator = make_user(session, "operator")
    login_as(client, operator)
    assert f'data-handoff="{handoff.id}"' in client.get("/console/").text

    claimed = client.post(
        f"/console/handoffs/{handoff.id}/claim",
        data={"csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert claimed.headers["location"] == f"/console/chat/{handoff.id}"
    session.refresh(handoff)
    assert handoff.status == "active" and handoff.claimed_by_id == operator.id

    sent = client.post(
        f"/console/chat/{handoff.id}/reply",
        data={"text": "سلام، من همکار شما هستم"},
        headers={"X-CSRF-Token": csrf_of(client), "Accept": "application/json"},
    )
    assert sent.json() == {"ok": True}
    lines = client.get(f"/console/chat/{handoff.id}/messages.json").json()["lines"]
    assert lines[-1]["text"] == "سلام، من همکار شما هستم" and lines[-1]["who"] == "operator"

    ended = client.post(
        f"/console/chat/{handoff.id}/end",
        data={"csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    session.refresh(handoff)
    assert handoff.status == "ended"
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == contact_id)
        .order_by(OutboxMessage.id)
    ).all()
    assert [(m.kind, m.sender) for m in rows] == [
        ("operator", f"operator:{operator.username}"),
        ("notice", "system"),
    ]
    assert "دستیار" in (rows[1].text or "")


def test_second_operator_cannot_take_or_write(client: TestClient, session: Session) -> None:
    handoff = make_handoff(session)
    first = make_user(session, "operator")
    second = make_user(session, "operator")
    login_as(client, first)
    client.post(f"/console/handoffs/{handoff.id}/claim", data={"csrf_token": csrf_of(client)})
    login_as(client, second)
    taken = client.post(
        f"/console/handoffs/{handoff.id}/claim",
        data={"csrf_token": csrf_of(client)},
        follow_redirects=False,
    )
    assert "taken=" in taken.headers["location"]
    reply = client.post(
        f"/console/chat/{handoff.id}/reply",
        data={"text": "hi"},
        headers={"X-CSRF-Token": csrf_of(client), "Accept": "application/json"},
    )
    assert reply.status_code == 409
    assert session.get(Handoff, handoff.id).claimed_by_id == first.id  # type: ignore[union-attr]
