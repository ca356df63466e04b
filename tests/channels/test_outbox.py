"""The outbox with the real libraries (python-telegram-bot, twilio) against local stubs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from channels import outbox, sending
from channels.providers.base import Transport
from channels.providers.telegram import TelegramProvider
from channels.providers.twilio import TwilioProvider
from channels.worker import WebTransport
from feedback_api.db import utcnow
from tests.channels.conftest import FROM_NUMBER, TWILIO_SID, run
from tests.channels.helpers import outbox_rows
from tests.factories import make_contact
from tests.stubs.base import Stub
from tests.stubs.twilio import error


def later(seconds: float) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=seconds)


@pytest.fixture
def tg_transports(
    tg_stub: tuple[Stub, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Transport]:
    from feedback_api.settings import get_settings

    monkeypatch.setattr(get_settings(), "telegram_api_base_url", tg_stub[1])
    return {"telegram": TelegramProvider(get_settings()), "web": WebTransport()}


@pytest.fixture
def sms_transports(
    twilio_stub_server: tuple[Stub, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Transport]:
    from feedback_api.settings import get_settings

    monkeypatch.setattr(get_settings(), "twilio_api_base_url", twilio_stub_server[1])
    return {"twilio": TwilioProvider(get_settings())}


def test_telegram_500_twice_then_sent_exactly_once(
    session: Session, tg_stub: tuple[Stub, str], tg_transports: dict[str, Transport]
) -> None:
    stub, _ = tg_stub
    contact = make_contact(session, "telegram", "7001")
    outbox.queue(session, contact=contact, text="سلام", buttons=[{"title": "دری", "payload": "/x"}])
    session.commit()
    stub.fail("sendMessage", 500, {"ok": False, "error_code": 500, "description": "boom"}, times=2)
    run(sending.deliver_due(session, tg_transports))
    (row,) = outbox_rows(session)
    assert (row.status, row.attempts) == ("queued", 1)
    assert run(sending.deliver_due(session, tg_transports)) == 0  # backing off
    run(sending.deliver_due(session, tg_transports, now=later(6)))
    run(sending.deliver_due(session, tg_transports, now=later(20)))
    session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 3)
    assert row.address is None and row.provider_id  # the address is blanked once sent
    sends = stub.calls("sendMessage")
    assert len(sends) == 3 and sends[-1]["params"]["chat_id"] == "7001"
    assert "callback_data" in sends[-1]["params"]["reply_markup"]
    run(sending.deliver_due(session, tg_transports, now=later(600)))
    assert len(stub.calls("sendMessage")) == 3


def test_telegram_429_retry_after_is_honoured(
    session: Session, tg_stub: tuple[Stub, str], tg_transports: dict[str, Transport]
) -> None:
    stub, _ = tg_stub
    contact = make_contact(session, "telegram", "7002")
    outbox.queue(session, contact=contact, text="سلام")
    session.commit()
    stub.fail(
        "sendMessage",
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests",
            "parameters": {"retry_after": 30},
        },
    )
    run(sending.deliver_due(session, tg_transports))
    (row,) = outbox_rows(session)
    assert row.status == "queued"
    assert later(25) < row.next_attempt_at <= later(31)
    run(sending.deliver_due(session, tg_transports, now=later(20)))
    assert len(stub.calls("sendMessage")) == 1
    run(sending.deliver_due(session, tg_transports, now=later(31)))
    session.refresh(row)
    assert row.status == "sent" and len(stub.calls("sendMessage")) == 2


def test_telegram_403_blocked_opts_out_and_later_sends_are_skipped(
    session: Session, tg_stub: tuple[Stub, str], tg_transports: dict[str, Transport]
) -> None:
    stub, _ = tg_stub
    contact = make_contact(session, "telegram", "7003")
    outbox.queue(session, contact=contact, text="یک")
    session.commit()
    stub.fail(
        "sendMessage",
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    run(sending.deliver_due(session, tg_transports))
    session.refresh(contact)
    assert contact.opted_out
    outbox.queue(session, contact=contact, text="دو")
    session.commit()
    run(sending.deliver_due(session, tg_transports))
    assert [r.status for r in outbox_rows(session)] == ["failed", "failed"]
    assert len(stub.calls("sendMessage")) == 1
    assert not any(r.status == "delivered" for r in outbox_rows(session))


def test_long_telegram_text_is_split_at_4096(
    session: Session, tg_stub: tuple[Stub, str], tg_transports: dict[str, Transport]
) -> None:
    stub, _ = tg_stub
    contact = make_contact(session, "telegram", "7004")
    outbox.queue(
        session,
        contact=contact,
        text=("کلمه " * 2000).strip(),
        buttons=[{"title": "ok", "payload": "/ok"}],
    )
    session.commit()
    run(sending.deliver_due(session, tg_transports))
    sends = stub.calls("sendMessage")
    assert len(sends) == 3 and all(len(s["params"]["text"]) <= 4096 for s in sends)
    assert "reply_markup" in sends[-1]["params"] and "reply_markup" not in sends[0]["params"]


def test_sms_through_the_twilio_library_with_status_callback(
    session: Session, twilio_stub_server: tuple[Stub, str], sms_transports: dict[str, Transport]
) -> None:
    stub, _ = twilio_stub_server
    contact = make_contact(session, "sms", "+989121239999")
    outbox.queue(
        session, contact=contact, text="زبان:", buttons=[{"title": "دری", "payload": "/a"}]
    )
    session.commit()
    run(sending.deliver_due(session, sms_transports))
    (call,) = stub.calls("Messages.json")
    assert call["path"] == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert call["params"]["To"] == "+989121239999" and call["params"]["From"] == FROM_NUMBER
    assert call["params"]["Body"] == "زبان:\n۱. دری"
    assert call["params"]["StatusCallback"] == "https://feedback.example.org/webhooks/twilio/status"
    (row,) = outbox_rows(session)
    assert row.status == "sent" and row.provider_id == "SM" + "0" * 31 + "1"


def test_sms_21610_opts_out_and_5xx_retries(
    session: Session, twilio_stub_server: tuple[Stub, str], sms_transports: dict[str, Transport]
) -> None:
    stub, _ = twilio_stub_server
    first = make_contact(session, "sms", "+989121239998")
    second = make_contact(session, "sms", "+989121239997")
    outbox.queue(session, contact=first, text="a")
    session.commit()
    stub.fail("Messages.json", 400, error(400, 21610, "Attempt to send to unsubscribed recipient"))
    run(sending.deliver_due(session, sms_transports))
    session.refresh(first)
    assert first.opted_out
    outbox.queue(session, contact=second, text="b")
    session.commit()
    stub.fail("Messages.json", 503, error(503, 20500, "unavailable"))
    run(sending.deliver_due(session, sms_transports))
    assert outbox_rows(session)[-1].status == "queued"
    run(sending.deliver_due(session, sms_transports, now=later(6)))
    assert outbox_rows(session)[-1].status == "sent"


def test_replies_go_before_bulk_and_rate_limits_hold(
    session: Session, tg_stub: tuple[Stub, str], tg_transports: dict[str, Transport]
) -> None:
    stub, _ = tg_stub
    people = [make_contact(session, "telegram", str(8000 + i)) for i in range(4)]
    for person in people[:3]:
        outbox.queue(session, contact=person, text="bulk", kind="bulk")
    outbox.queue(session, contact=people[3], text="reply", kind="reply")
    session.commit()
    clock = [0.0]
    limits = sending.RateLimiter(
        overall={"telegram": sending.TokenBucket(1, 1)},
        per_chat={"telegram": sending.TokenBucket(1, 1)},
        clock=lambda: clock[0],
    )
    run(sending.deliver_due(session, tg_transports, limits))
    assert [c["params"]["text"] for c in stub.calls("sendMessage")] == ["reply"]
    run(sending.deliver_due(session, tg_transports, limits))
    assert len(stub.calls("sendMessage")) == 1  # one a second
    for second in (1.0, 2.0, 3.0):
        clock[0] = second
        run(sending.deliver_due(session, tg_transports, limits))
    assert [c["params"]["text"] for c in stub.calls("sendMessage")] == ["reply"] + ["bulk"] * 3


def test_texts_are_encrypted_at_rest_in_the_outbox(session: Session) -> None:
    from sqlalchemy import text

    contact = make_contact(session, "sms")
    outbox.queue(session, contact=contact, text="متن محرمانه")
    session.commit()
    raw_text, raw_address = session.execute(text("SELECT text, address FROM channel_outbox")).one()
    assert "محرمانه".encode() not in bytes(raw_text)
    assert b"+98" not in bytes(raw_address)
