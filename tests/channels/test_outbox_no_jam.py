"""An outbox no one can jam: phone contacts, rows that can never go, backlogs, old rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from channels import outbox
from channels.models import OutboxMessage
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import utcnow
from feedback_api.settings import Settings
from tests.channels.conftest import Recorder
from tests.channels.helpers import outbox_rows
from tests.factories import make_contact


def _phone_contact(session: Session, number: str, *, consent: bool) -> Contact:
    contact = contacts.ensure_contact(session, "phone", number)
    contacts.set_consent(session, contact, consent, None)
    session.commit()
    return contact


def test_a_caller_who_consented_gets_an_sms(
    session: Session, deliver: Callable[..., int], recorders: dict[str, Recorder]
) -> None:
    contact = _phone_contact(session, "+989121110001", consent=True)
    outbox.queue(session, contact=contact, text="پرونده شما بررسی شد", kind="operator")
    session.commit()
    deliver()
    (sent,) = recorders["sms"].sent
    assert sent.address == "+989121110001" and sent.text == "پرونده شما بررسی شد"
    assert outbox_rows(session)[0].status == "sent"


def test_a_caller_without_consent_is_undeliverable_at_once(
    session: Session, deliver: Callable[..., int], recorders: dict[str, Recorder]
) -> None:
    contact = _phone_contact(session, "+989121110002", consent=False)
    row = outbox.queue(session, contact=contact, text="سلام", kind="operator")
    session.commit()
    assert (row.status, row.error) == ("undeliverable", "no consent to be contacted")
    deliver()
    assert recorders["sms"].sent == []


def test_without_an_sms_route_a_caller_is_undeliverable(
    session: Session, channel_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(channel_settings, "twilio_from_number", None)
    contact = _phone_contact(session, "+989121110003", consent=True)
    row = outbox.queue(session, contact=contact, text="سلام", kind="operator")
    assert row.status == "undeliverable" and "no SMS route" in (row.error or "")


def test_rows_that_can_never_go_do_not_hold_up_the_rest(
    session: Session, deliver: Callable[..., int], recorders: dict[str, Recorder]
) -> None:
    # Rows queued before phone contacts had a route: ~100 closed phone cases stopped
    # every outbound message, the sender only ever looking at the oldest rows.
    for n in range(250):
        contact = contacts.ensure_contact(session, "phone", f"+98912{n:07d}")
        session.add(
            OutboxMessage(
                contact_id=contact.id,
                channel="phone",
                transport="phone",
                text="closed",
                address=f"+98912{n:07d}",
            )
        )
    person = make_contact(session, "telegram", "5550001")
    outbox.queue(session, contact=person, text="پاسخ")
    session.commit()
    deliver()
    assert [m.text for m in recorders["telegram"].sent] == ["پاسخ"]
    stuck = [r for r in outbox_rows(session) if r.transport == "phone"]
    assert {r.status for r in stuck} == {"undeliverable"} and len(stuck) == 250


def test_one_contacts_backlog_never_delays_another_contacts_reply(
    session: Session, deliver: Callable[..., int], recorders: dict[str, Recorder]
) -> None:
    busy = make_contact(session, "telegram", "5550002")
    for n in range(300):
        outbox.queue(session, contact=busy, text=f"backlog {n}")
    other = make_contact(session, "telegram", "5550003")
    outbox.queue(session, contact=other, text="your answer")
    session.commit()
    deliver()
    assert [m.text for m in recorders["telegram"].sent] == ["backlog 0", "your answer"]
    deliver()
    assert recorders["telegram"].sent[-1].text == "backlog 1"  # in order, one a round


def test_nothing_stays_queued_for_ever(
    session: Session, deliver: Callable[..., int], recorders: dict[str, Recorder]
) -> None:
    person = make_contact(session, "telegram", "5550004")
    row = outbox.queue(session, contact=person, text="old")
    row.created_at = utcnow() - dt.timedelta(hours=25)
    row.next_attempt_at = utcnow() + dt.timedelta(hours=1)  # backing off, never to be due
    session.commit()
    deliver()
    session.refresh(row)
    assert row.status == "failed" and (row.error or "").startswith("expired")
    assert row.address is None and recorders["telegram"].sent == []
