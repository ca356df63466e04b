"""SMS through a local SIM (SMS Gateway for Android): signed webhooks, deduplication on
the event id, replies through the client to (a stub of) the phone, delivery events."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels import gateway, sending, turns
from channels.__main__ import main as channels_cli
from channels.models import InboundMessage
from channels.providers import registry
from feedback_api.contacts.models import Contact
from feedback_api.settings import Settings
from tests.channels.conftest import FakeRasa, Recorder, run
from tests.channels.factories import android_event, android_headers, android_sms, sms_form
from tests.channels.helpers import (
    contact_of,
    count,
    inbound_rows,
    outbox_rows,
    post_android,
    post_sms,
)
from tests.stubs.base import Stub

NUMBER = "+989121234567"


def send_through_the_phone(session: Session, settings: Settings) -> None:
    providers = registry.build(settings)
    run(sending.deliver_due(session, providers))


def test_a_signed_sms_is_answered_through_the_phone(
    client: TestClient,
    session: Session,
    rasa: FakeRasa,
    android_gateway: Stub,
    channel_settings: Settings,
) -> None:
    # The phone shows Iranian numbers as 09...: the person is +98... all the same.
    assert post_android(client, android_sms("09121234567", "سلام، کمک نقدی کی میاد؟")).json() == {
        "ok": True
    }
    run(turns.process_pending(session, rasa))
    person = contact_of(session, "sms", NUMBER)
    assert rasa.calls[0]["sender"] == person.pseudonym
    assert "912123" not in json.dumps(rasa.calls[0])  # the assistant never sees the number
    assert rasa.calls[0]["metadata"]["channel"] == "sms"

    send_through_the_phone(session, channel_settings)
    [sent] = android_gateway.calls("/messages")
    assert sent["params"]["phoneNumbers"] == [NUMBER]
    assert sent["params"]["textMessage"]["text"] == "سلام"
    assert sent["auth"].startswith("Basic ")
    [row] = outbox_rows(session)
    assert (row.transport, row.status, row.provider_id) == ("android_sms", "sent", "msg00000001")


def test_forged_stale_and_unsigned_requests_get_403_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    body = android_sms(NUMBER, "سلام")
    assert post_android(client, body, key="not-the-key").status_code == 403
    # Signed, then altered on the way.
    headers = android_headers("android-signing-key-789", body)
    altered = body.replace("سلام".encode(), "خداحافظ".encode())
    assert client.post("/webhooks/android-sms", content=altered, headers=headers).status_code == 403
    # A captured request played again later, or stamped in the future.
    assert post_android(client, body, timestamp=int(time.time()) - 301).status_code == 403
    assert post_android(client, body, timestamp=int(time.time()) + 301).status_code == 403
    assert client.post("/webhooks/android-sms", content=body).status_code == 403
    assert count(session, InboundMessage) == 0
    assert count(session, Contact) == 0


def test_a_retried_event_is_processed_once_and_equal_texts_are_not_merged(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    first = android_sms(NUMBER, "سلام", event_id="ev-retried")
    assert post_android(client, first).status_code == 200
    assert post_android(client, first).status_code == 200  # the app did not see our 200
    # Another person's "سلام" has the same messageId (derived from the content).
    assert post_android(client, android_sms("+989351112233", "سلام")).status_code == 200
    assert len(inbound_rows(session)) == 2
    run(turns.process_pending(session, rasa))
    assert len(rasa.calls) == 2
    assert len({call["sender"] for call in rasa.calls}) == 2


def test_delivery_events_are_reflected_in_the_outbox(
    client: TestClient,
    session: Session,
    rasa: FakeRasa,
    android_gateway: Stub,
    channel_settings: Settings,
) -> None:
    rasa.replies = [{"text": "پیام اول"}, {"text": "پیام دوم"}]
    post_android(client, android_sms(NUMBER, "سلام"))
    run(turns.process_pending(session, rasa))
    send_through_the_phone(session, channel_settings)
    send_through_the_phone(session, channel_settings)
    first, second = outbox_rows(session)
    assert first.status == second.status == "sent"

    def event(name: str, message_id: str, **extra: str) -> int:
        payload = {"messageId": message_id, "phoneNumber": NUMBER, **extra}
        return post_android(client, android_event(name, payload)).status_code

    assert event("sms:delivered", str(first.provider_id), deliveredAt="2026-12-01T10:00:05Z") == 200
    assert event("sms:sent", str(first.provider_id)) == 200  # late: never undoes "delivered"
    assert event("sms:failed", str(second.provider_id), reason="RESULT_ERROR_NO_SERVICE") == 200
    assert event("sms:delivered", "unknown-id") == 200  # not ours: acknowledged, ignored
    assert event("system:ping", "") == 200
    session.expire_all()
    first, second = outbox_rows(session)
    assert first.status == "delivered" and first.delivered_at is not None
    assert second.status == "failed" and "RESULT_ERROR_NO_SERVICE" in (second.error or "")
    assert len(inbound_rows(session)) == 1  # status events are not messages


def test_malformed_bodies_get_400_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    for body in (b"", b"not json", b"[]", json.dumps({"event": "sms:received"}).encode()):
        assert post_android(client, body).status_code == 400
    bad_number = android_sms("not a number", "سلام")
    assert post_android(client, bad_number).status_code == 400
    assert count(session, InboundMessage) == 0


def test_replies_leave_the_way_the_person_wrote_and_notices_by_sms_provider(
    client: TestClient,
    session: Session,
    rasa: FakeRasa,
    recorders: dict[str, Recorder],
    deliver,
) -> None:
    # These tests set SMS_PROVIDER=twilio; this person writes to the local SIM.
    post_android(client, android_sms(NUMBER, "سلام"))
    run(turns.process_pending(session, rasa))
    person = contact_of(session, "sms", NUMBER)
    gateway.send_text(session, person, "همکار: سلام", kind="operator", sender="operator:ali")
    gateway.send_template(session, person, "case_status", reference="X", status="Y")
    session.commit()
    for _ in range(3):
        deliver()
    assert [m.text for m in recorders["android_sms"].sent] == ["سلام", "همکار: سلام"]
    assert len(recorders["sms"].sent) == 1  # the service's own notice: SMS_PROVIDER's route
    # And a Twilio person is answered through Twilio.
    post_sms(client, sms_form("+989121110000", "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    assert recorders["sms"].sent[-1].address == "+989121110000"


def test_register_android_webhooks_points_the_four_events_at_our_url(
    android_gateway: Stub, channel_settings: Settings
) -> None:
    assert channels_cli(["register-android-webhooks"]) == 0
    assert channels_cli(["register-android-webhooks"]) == 0  # again: replaced, not doubled
    created = [c["params"] for c in android_gateway.calls("/webhooks") if c["method"] == "POST"]
    assert {c["event"] for c in created} == {
        "sms:received",
        "sms:sent",
        "sms:delivered",
        "sms:failed",
    }
    assert {c["url"] for c in created} == {"https://feedback.example.org/webhooks/android-sms"}
    deleted = [c for c in android_gateway.calls("/webhooks/") if c["method"] == "DELETE"]
    assert len(deleted) == 4
