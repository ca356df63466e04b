"""Delete my data: no address or message text stays behind; anonymous case figures do."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select, text
from sqlalchemy.orm import Session

from channels import rasa_tracker
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.state_machine import Status
from feedback_api.crypto import decrypt
from feedback_api.main import messaging
from tests.factories import auth, make_case, make_contact, make_user

PHONE = "+989121234567"
DESCRIPTION = "آقای رضایی در دفتر کمک‌ها از ما پول خواست"
MESSAGE_IN = "شماره کارت من ۶۰۳۷ است"
MESSAGE_OUT = "Your case is being handled, Zahra."


def _texts(value: Any) -> list[str]:
    """A stored value as text, decrypting it when it is an encrypted column."""
    if isinstance(value, (bytes, memoryview)):
        raw = bytes(value)
        out = [raw.decode("utf-8", "replace")]
        for key in ("data_key", "vault_key"):
            try:
                out.append(decrypt(raw, key))
            except Exception:  # noqa: S112 (not encrypted with this key)
                continue
        return out
    return [] if value is None else [str(value)]


class ErasingRasa:
    """Rasa's HTTP API as the gateway's erasure sees it."""

    def __init__(self) -> None:
        self.erased: list[str] = []

    async def send(self, sender: str, message: str, metadata: dict[str, Any]) -> list[Any]:
        raise AssertionError("no turn here")

    async def erase(self, sender: str) -> None:
        self.erased.append(sender)


def _everything(session: Session) -> str:
    """Every value of every table of the database, decrypted where possible."""
    metadata = MetaData()
    metadata.reflect(bind=session.connection())
    found = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)):
            for value in row:
                found.extend(_texts(value))
    return "\n".join(found)


def test_delete_my_data_leaves_no_address_or_text(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    contact = make_contact(session, "sms", PHONE)
    key, contact_id = contact.pseudonym, contact.id
    bystander = make_contact(session, "sms", "+989351112233")
    created = client.post(
        "/api/v1/bot/cases",
        json={
            "client_key": secrets.token_hex(8),
            "contact": key,
            "type": "complaint",
            "category": "FRD",
            "topic": "CSH",
            "channel": "sms",
            "language": "fa",
            "province": "Tehran",
            "description": DESCRIPTION,
            "callback_consent": True,
        },
        headers=service_headers,
    )
    reference = created.json()["reference"]
    for direction, message in (("in", MESSAGE_IN), ("out", MESSAGE_OUT)):
        client.post(
            f"/api/v1/bot/cases/{reference}/messages",
            json={"contact": key, "direction": direction, "text": message},
            headers=service_headers,
        )
    client.post(f"/api/v1/bot/contacts/{key}/handoff", json={}, headers=service_headers)
    other = client.post(
        "/api/v1/bot/cases",
        json={
            "client_key": secrets.token_hex(8),
            "contact": bystander.pseudonym,
            "type": "feedback",
            "category": "SUG",
            "channel": "sms",
            "description": "someone else's suggestion",
        },
        headers=service_headers,
    ).json()["reference"]

    before = _everything(session)
    for secret in (PHONE, DESCRIPTION, MESSAGE_IN, MESSAGE_OUT, key):
        assert secret in before  # the check below can see them when they are there

    answer = client.delete(f"/api/v1/bot/contacts/{key}", headers=service_headers)
    assert answer.status_code == 200 and answer.json() == {"deleted": True, "kept_reports": 0}
    # The gateway erases the conversation from Rasa once the turn is over.
    rasa = ErasingRasa()
    asyncio.run(rasa_tracker.erase_due(session, rasa, sender=key))
    assert rasa.erased == [key]

    session.expire_all()
    after = _everything(session)
    for secret in (PHONE, PHONE[1:], DESCRIPTION, MESSAGE_IN, MESSAGE_OUT, key, contact_id):
        assert secret not in after, secret

    db = session.connection()
    assert (
        db.execute(
            text("SELECT count(*) FROM contact_vault WHERE contact_id = :c"), {"c": contact_id}
        ).scalar()
        == 0
    )
    assert (
        db.execute(text("SELECT count(*) FROM contacts WHERE id = :c"), {"c": contact_id}).scalar()
        == 0
    )
    assert (
        db.execute(
            text("SELECT count(*) FROM handoffs WHERE contact_id = :c"), {"c": contact_id}
        ).scalar()
        == 0
    )
    row = db.execute(
        text(
            "SELECT description, contact_id, category, province, status, sensitivity, "
            "created_at, close_due_at, content_purged_at FROM cases WHERE reference = :r"
        ),
        {"r": reference},
    ).one()
    assert row.description is None and row.contact_id is None
    assert (row.category, row.province, row.status, row.sensitivity) == (
        "FRD",
        "Tehran",
        "NEW",
        "S2",
    )
    assert row.created_at is not None and row.close_due_at is not None
    assert row.content_purged_at is not None
    bodies = db.execute(
        text(
            "SELECT t.kind, t.body, t.redacted_at FROM case_timeline t JOIN cases c "
            "ON c.id = t.case_id WHERE c.reference = :r ORDER BY t.id"
        ),
        {"r": reference},
    ).all()
    assert [b.kind for b in bodies] == ["created", "message_in", "message_out"]
    assert all(b.body is None for b in bodies)
    assert all(b.redacted_at is not None for b in bodies if b.kind.startswith("message"))

    # The other person's data is untouched.
    assert "someone else's suggestion" in after
    assert (db.execute(text("SELECT count(*) FROM contact_vault")).scalar() or 0) >= 1

    # The person can no longer look the case up; staff still count it.
    lookup = client.get(
        f"/api/v1/bot/cases/{reference}", params={"contact": key}, headers=service_headers
    )
    assert lookup.status_code == 404
    manager = auth(make_user(session, "cfm_manager"))
    detail = client.get(f"/api/v1/cases/{reference}", headers=manager).json()
    assert detail["description"] is None and detail["category"] == "FRD"
    assert client.get(f"/api/v1/cases/{other}", headers=manager).json()["description"]

    # Asking again is harmless.
    again = client.delete(f"/api/v1/bot/contacts/{key}", headers=service_headers)
    assert again.status_code == 200 and again.json() == {"deleted": True, "kept_reports": 0}


def test_deleting_an_unknown_contact_says_deleted(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    answer = client.delete(
        "/api/v1/bot/contacts/abcdefghijklmnopqrstuvwxyz", headers=service_headers
    )
    assert answer.status_code == 200 and answer.json() == {"deleted": True, "kept_reports": 0}


def test_staff_texts_leave_a_mark_and_an_open_abuse_report_stays_anonymous(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    contact = make_contact(session, "telegram", "5550001")
    key = contact.pseudonym
    manager = make_user(session, "cfm_manager")
    complaint = make_case(session, contact=contact, description="کمک نقدی نرسید")
    cases.add_note(session, complaint, "زنگ زدم، گفت زهرا هستم", user=manager)
    cases.change_status(
        session,
        complaint,
        Status.ACKNOWLEDGED,
        actor="t",
        user=manager,
        reason="با خانم زهرا",
        messaging=messaging(),
    )
    complaint.referral = "به دفتر مشهد، آقای احمدی"
    report = make_case(session, category="SEA", contact=contact, description="او از من رابطه خواست")
    session.commit()

    answer = client.delete(f"/api/v1/bot/contacts/{key}", headers=service_headers)
    assert answer.json() == {"deleted": True, "kept_reports": 1}

    session.expire_all()
    kept = session.get(Case, report.id)
    assert kept is not None and kept.contact_id is None
    assert kept.description == "او از من رابطه خواست"  # the report reaches its focal point
    gone = session.get(Case, complaint.id)
    assert gone is not None and gone.description is None and gone.referral is None
    marks = {
        entry.kind: entry.data.get("redacted")
        for entry in gone.timeline
        if entry.kind in ("note", "status_change")
    }
    assert marks == {"note": "request", "status_change": "request"}
    assert all(entry.body is None for entry in gone.timeline)
    everything = _everything(session)
    for secret in ("زهرا", "احمدی", "کمک نقدی نرسید"):
        assert secret not in everything
