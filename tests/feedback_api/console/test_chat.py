"""Live chat: claim, reply through the outbox, end and hand back to the assistant."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import OutboxMessage
from feedback_api.audit.models import AuditEntry
from feedback_api.handoff.models import Handoff
from tests.factories import csrf_of, login_as, make_handoff, make_user


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


def _post(client: TestClient, path: str) -> object:
    return client.post(path, data={"csrf_token": csrf_of(client)}, follow_redirects=False)


def test_a_cfm_manager_takes_over_and_releases_any_chat(
    client: TestClient, session: Session
) -> None:
    handoff = make_handoff(session)
    operator = make_user(session, "operator")
    manager = make_user(session, "cfm_manager")
    login_as(client, operator)
    _post(client, f"/console/handoffs/{handoff.id}/claim")
    assert "take-chat" not in client.get(f"/console/chat/{handoff.id}").text
    assert _post(client, f"/console/chat/{handoff.id}/take").status_code == 404  # type: ignore[attr-defined]

    login_as(client, manager)
    assert 'id="take-chat"' in client.get(f"/console/chat/{handoff.id}").text
    _post(client, f"/console/chat/{handoff.id}/take")
    session.refresh(handoff)
    assert (handoff.status, handoff.claimed_by_id) == ("active", manager.id)
    login_as(client, operator)
    reply = client.post(
        f"/console/chat/{handoff.id}/reply",
        data={"text": "hi"},
        headers={"X-CSRF-Token": csrf_of(client), "Accept": "application/json"},
    )
    assert reply.status_code == 409  # the chat is the manager's now

    login_as(client, manager)
    _post(client, f"/console/chat/{handoff.id}/release")
    session.refresh(handoff)
    assert (handoff.status, handoff.claimed_by_id) == ("waiting", None)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.user_id == manager.id)
    ).all()
    assert {"handoff.take", "handoff.release"} <= set(actions)
    login_as(client, make_user(session, "operator"))
    _post(client, f"/console/handoffs/{handoff.id}/claim")
    session.refresh(handoff)
    assert handoff.status == "active"


def test_deactivating_an_operator_puts_their_chats_back_in_the_queue(
    client: TestClient, session: Session
) -> None:
    handoff = make_handoff(session)
    operator = make_user(session, "operator")
    login_as(client, operator)
    _post(client, f"/console/handoffs/{handoff.id}/claim")
    login_as(client, make_user(session, "admin"))
    client.post(
        f"/console/admin/users/{operator.id}/active",
        data={"active": "false", "csrf_token": csrf_of(client)},
    )
    session.refresh(handoff)
    assert (handoff.status, handoff.claimed_by_id) == ("waiting", None)
