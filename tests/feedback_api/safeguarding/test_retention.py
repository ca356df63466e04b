"""Retention enforced per data class (domain.md §2.5), each run audited and shown to the DPO."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import outbox
from channels.models import ConversationErasure, InboundMessage
from feedback_api.audit.models import AuditEntry
from feedback_api.cases import service as cases
from feedback_api.cases.models import Case
from feedback_api.cases.state_machine import Status
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.main import messaging
from feedback_api.safeguarding import retention
from tests.factories import login_as, make_case, make_contact, make_user

DAY = dt.timedelta(days=1)


def close(session: Session, case: Case, status: Status, days_ago: float) -> None:
    for step in (Status.ACKNOWLEDGED, status) if case.sensitivity != "S3" else ():
        cases.change_status(session, case, step, actor="test", user=None, messaging=messaging())
    case.status = status.value
    case.closed_at = utcnow() - days_ago * DAY
    session.commit()


def message(
    session: Session, contact: Contact, text: str, days_ago: float, case: Case | None
) -> InboundMessage:
    row = InboundMessage(
        channel="sms",
        transport="sms",
        external_id=f"SM{text}{days_ago}",
        contact_id=contact.id,
        text=text,
        status="done",
        received_at=utcnow() - days_ago * DAY,
        case_id=case.id if case else None,
    )
    session.add(row)
    session.commit()
    return row


def test_each_data_class_goes_at_its_time_and_the_run_is_audited(
    client: TestClient, session: Session
) -> None:
    person = make_contact(session)
    recent = make_case(session, contact=person, description="کمک نقدی ده روز دیر رسید")
    close(session, recent, Status.WITHDRAWN, days_ago=10)
    old = make_case(session, contact=person, description="بسته غذایی کم بود")
    close(session, old, Status.WITHDRAWN, days_ago=400)
    s2 = make_case(session, category="FRD", contact=person, description="کارمند پول خواست")
    close(session, s2, Status.WITHDRAWN, days_ago=1)
    s3 = make_case(session, category="SAF", contact=person, description="تهدید شدم")
    s3.status, s3.closed_at = Status.DUPLICATE.value, utcnow()  # closed before purging existed
    session.commit()
    open_case = make_case(session, contact=person, description="هنوز کارت بانکی نگرفته‌ام")

    chat = message(session, person, "گفت‌وگوی قدیمی", days_ago=100, case=None)
    kept_chat = message(session, person, "پیام پرونده باز", days_ago=100, case=open_case)
    fresh_chat = message(session, person, "پیام تازه", days_ago=5, case=None)
    sleeper = make_contact(session)
    sleeper.last_seen_at = utcnow() - 100 * DAY
    session.commit()

    counts = retention.run(session, messaging())
    session.commit()
    session.expire_all()

    assert counts == {"restricted_cases": 2, "old_cases": 1, "addresses": 0, "transcripts": 2}
    assert session.get(Case, old.id).description is None  # type: ignore[union-attr]
    assert session.get(Case, old.id).contact_id is None  # type: ignore[union-attr]
    assert session.get(Case, recent.id).description == "کمک نقدی ده روز دیر رسید"  # type: ignore[union-attr]
    assert session.get(Case, s2.id).description is None  # type: ignore[union-attr]
    assert session.get(Case, s3.id).description is None  # type: ignore[union-attr]
    assert session.get(Case, open_case.id).description == "هنوز کارت بانکی نگرفته‌ام"  # type: ignore[union-attr]
    assert session.get(InboundMessage, chat.id).text is None  # type: ignore[union-attr]
    assert session.get(InboundMessage, kept_chat.id).text == "پیام پرونده باز"  # type: ignore[union-attr]
    assert session.get(InboundMessage, fresh_chat.id).text == "پیام تازه"  # type: ignore[union-attr]
    # Rasa's copy of a conversation nobody continued is erased too (by the gateway).
    assert session.scalars(select(ConversationErasure.sender)).all() == [sleeper.pseudonym]

    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.run"))
    assert entry.actor == "system:retention" and entry.detail["old_cases"] == 1

    # A second run finds nothing more to do.
    assert set(retention.run(session, messaging()).values()) == {0}

    dpo = make_user(session, "data_protection_officer")
    login_as(client, dpo)
    page = client.get("/console/retention")
    assert page.status_code == 200 and 'id="retention-runs"' in page.text
    login_as(client, make_user(session, "operator"))
    assert client.get("/console/retention").status_code == 404


def test_an_address_goes_thirty_days_after_the_last_case_closed(session: Session) -> None:
    person = make_contact(session)
    person.callback_consent = True
    case = make_case(session, contact=person)
    person.vault.retain_until = utcnow() + 300 * DAY  # type: ignore[union-attr]
    close(session, case, Status.WITHDRAWN, days_ago=31)

    assert retention.run(session, messaging())["addresses"] == 1
    session.commit()
    session.expire_all()
    assert session.get(Contact, person.id).vault is None  # type: ignore[union-attr]
    assert outbox.contacts.address_of(session.get(Contact, person.id)) is None  # type: ignore[arg-type]
