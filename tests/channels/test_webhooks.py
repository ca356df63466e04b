"""Webhook verification, storage before anything else, deduplication."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from channels import turns
from channels.models import InboundMessage, OutboxMessage
from feedback_api.contacts.models import Contact
from tests.channels.conftest import FakeRasa, Recorder, run
from tests.channels.factories import sms_form, tg_callback, tg_edited, tg_media, tg_member, tg_text
from tests.channels.helpers import (
    STATUS_URL,
    contact_of,
    count,
    inbound_rows,
    outbox_rows,
    post_sms,
    post_tg,
)


def test_telegram_without_or_with_a_wrong_secret_is_refused_and_nothing_stored(
    client: TestClient, session: Session
) -> None:
    assert post_tg(client, tg_text(501, "سلام"), secret=None).status_code == 403
    assert post_tg(client, tg_text(501, "سلام"), secret="wrong").status_code == 403
    assert count(session, InboundMessage) == 0
    assert count(session, Contact) == 0


def test_sms_with_a_forged_or_missing_signature_is_refused_and_nothing_stored(
    client: TestClient, session: Session
) -> None:
    form = sms_form("+989121234567", "سلام")
    assert post_sms(client, form, signature="forged").status_code == 403
    assert client.post("/webhooks/twilio/sms", data=form).status_code == 403
    # Signed for another URL: refused too.
    assert post_sms(client, form, url="https://evil.example/webhooks/twilio/sms").status_code == 403
    assert count(session, InboundMessage) == 0
    assert count(session, Contact) == 0


def test_sms_is_stored_encrypted_and_answered_with_empty_twiml(
    client: TestClient, session: Session
) -> None:
    response = post_sms(client, sms_form("+989121234567", "یک پیام محرمانه"))
    assert response.status_code == 200
    assert response.text.endswith("<Response></Response>")
    assert response.headers["content-type"].startswith("application/xml")
    (row,) = inbound_rows(session)
    assert row.text == "یک پیام محرمانه" and row.status == "pending"
    raw = session.execute(text("SELECT text FROM channel_inbound")).scalar_one()
    assert "محرمانه".encode() not in bytes(raw)


def test_the_same_update_twice_gets_one_reply(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    update = tg_text(502, "سلام")
    assert post_tg(client, update).status_code == 200
    assert post_tg(client, update).status_code == 200
    run(turns.process_pending(session, rasa))
    deliver()
    assert len(rasa.calls) == 1
    assert len(recorders["telegram"].sent) == 1


def test_the_same_message_sid_twice_gets_one_reply(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    form = sms_form("+989121234568", "سلام", sid="SM" + "a" * 32)
    post_sms(client, form)
    post_sms(client, form)
    run(turns.process_pending(session, rasa))
    deliver()
    assert len(inbound_rows(session)) == 1
    assert len(recorders["sms"].sent) == 1


def test_rasa_sees_the_pseudonym_and_metadata_only(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(987654321, "سلام"))
    post_sms(client, sms_form("+989121234569", "سلام"))
    run(turns.process_pending(session, rasa))
    tg = contact_of(session, "telegram", "987654321")
    phone = contact_of(session, "sms", "+989121234569")
    assert [c["sender"] for c in rasa.calls] == [tg.pseudonym, phone.pseudonym]
    for call in rasa.calls:
        assert set(call["metadata"]) == {"channel", "language", "language_guess"}
        assert "987654321" not in str(call) and "9121234569" not in str(call)
    assert rasa.calls[1]["metadata"]["channel"] == "sms"


def test_start_goes_to_the_assistant_as_greet_with_a_language_payload(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(503, "/start prs"))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[0]["message"] == "/greet"
    assert rasa.calls[0]["metadata"]["language"] == "prs"


def test_media_gets_a_polite_reply_in_the_persons_language_and_is_logged(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    post_tg(client, tg_text(504, "hi"))
    run(turns.process_pending(session, rasa))
    contact_of(session, "telegram", "504").language = "prs"
    session.commit()
    for kind in ("voice", "photo", "sticker", "location", "contact"):
        assert post_tg(client, tg_media(504, kind)).status_code == 200
    run(turns.process_pending(session, rasa))
    assert len(rasa.calls) == 1
    rows = [r for r in inbound_rows(session) if r.kind == "media"]
    assert [r.media_type for r in rows] == ["voice", "photo", "sticker", "location", "contact"]
    assert all(r.text is None for r in rows)  # the shared phone number is not kept
    replies = [r for r in outbox_rows(session) if r.template == "media_unsupported"]
    assert len(replies) == 5 and "تان" in (replies[0].text or "")


def test_sms_media_only_gets_the_polite_reply(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_sms(client, sms_form("+989121234570", "", media=1))
    run(turns.process_pending(session, rasa))
    assert rasa.calls == []
    assert [r.template for r in outbox_rows(session)] == ["media_unsupported"]


def test_edited_messages_are_routed_like_new_ones(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_edited(505, "سلام دوباره"))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[0]["message"] == "سلام دوباره"
    assert inbound_rows(session)[0].kind == "edited"


def test_blocking_the_bot_opts_out_and_coming_back_opts_in(
    client: TestClient, session: Session
) -> None:
    post_tg(client, tg_member(506, "kicked"))
    contact = contact_of(session, "telegram", "506")
    assert contact.opted_out
    post_tg(client, tg_member(506, "member"))
    session.refresh(contact)
    assert not contact.opted_out
    assert {r.status for r in inbound_rows(session)} == {"ignored"}


def test_button_press_is_answered_and_its_payload_goes_to_rasa(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    rasa.replies = [
        {
            "text": "زبان:",
            "buttons": [{"title": "دری", "payload": '/set_language{"language":"prs"}'}],
        }
    ]
    post_tg(client, tg_text(507, "سلام"))
    run(turns.process_pending(session, rasa))
    post_tg(client, tg_callback(507, '/set_language{"language":"prs"}'))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[1]["message"] == '/set_language{"language":"prs"}'
    assert inbound_rows(session)[1].text == "دری"  # the transcript shows the title


def test_twilio_status_callbacks_are_signed_and_move_the_status(
    client: TestClient, session: Session, rasa: FakeRasa, deliver
) -> None:
    post_sms(client, sms_form("+989121234571", "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    (row,) = outbox_rows(session)
    assert row.status == "sent" and row.provider_id
    form = {"MessageSid": row.provider_id, "MessageStatus": "delivered"}
    forged = post_sms(client, form, url=STATUS_URL, path="/webhooks/twilio/status", signature="x")
    assert forged.status_code == 403
    ok = post_sms(client, form, url=STATUS_URL, path="/webhooks/twilio/status")
    assert ok.status_code == 204
    session.refresh(row)
    assert row.status == "delivered" and row.delivered_at is not None


def test_twilio_21610_in_a_status_callback_opts_out(
    client: TestClient, session: Session, rasa: FakeRasa, deliver
) -> None:
    post_sms(client, sms_form("+989121234572", "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    (row,) = outbox_rows(session)
    form = {
        "MessageSid": row.provider_id or "",
        "MessageStatus": "undelivered",
        "ErrorCode": "21610",
    }
    post_sms(
        client,
        form,
        url="https://feedback.example.org/webhooks/twilio/status",
        path="/webhooks/twilio/status",
    )
    assert contact_of(session, "sms", "+989121234572").opted_out
    assert session.get(OutboxMessage, row.id).status == "failed"  # type: ignore[union-attr]
