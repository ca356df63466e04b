"""Routing: keywords, waiting for the assistant, handoff, satisfaction, menus, erasure."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import gateway, turns
from channels.models import CallbackPayload, InboundMessage
from channels.render import sms_menu
from feedback_api.cases.models import TimelineEntry
from feedback_api.contacts import flows
from feedback_api.contacts import service as contacts
from feedback_api.db import utcnow
from feedback_api.handoff import service as handoffs
from feedback_api.main import messaging
from tests.channels.conftest import FakeRasa, Recorder, run
from tests.channels.factories import sms_form, tg_callback, tg_text
from tests.channels.helpers import contact_of, inbound_rows, outbox_rows, post_sms, post_tg
from tests.factories import make_case, make_user


def later(seconds: float) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=seconds)


def test_stop_confirms_then_silence_until_start(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    number = "+989121230001"
    post_sms(client, sms_form(number, "STOP"))
    deliver()
    assert [m.text for m in recorders["sms"].sent] == [
        outbox_rows(session)[0].text
    ] and "START" in recorders["sms"].sent[0].text
    assert contact_of(session, "sms", number).opted_out
    post_sms(client, sms_form(number, "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    assert rasa.calls == [] and len(recorders["sms"].sent) == 1
    # A notice to an opted-out person is not sent either.
    gateway.send_template(
        session, contact_of(session, "sms", number), "case_reference", reference="X"
    )
    session.commit()
    deliver()
    assert len(recorders["sms"].sent) == 1
    post_sms(client, sms_form(number, "شروع"))
    deliver()
    assert not contact_of(session, "sms", number).opted_out
    assert outbox_rows(session)[-1].template == "start_confirm"
    post_sms(client, sms_form(number, "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    assert len(rasa.calls) == 1
    assert len(recorders["sms"].sent) == 3  # stop, start, the answer


def test_only_an_explicit_stop_word_opts_out(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    # "لغو" (cancel) cancels a complaint and "کمک"/"راهنما" (help) show the menu: the
    # assistant gets them. STOP words opt out, with Arabic letters and punctuation too.
    for n, word in enumerate((" لغو ", "راهنما", "کمک", "cancel")):
        post_sms(client, sms_form(f"+98912123001{n}", word))
        assert not contact_of(session, "sms", f"+98912123001{n}").opted_out
    run(turns.process_pending(session, rasa))
    assert sorted(c["message"].strip() for c in rasa.calls) == sorted(
        ["لغو", "راهنما", "کمک", "cancel"]
    )
    post_sms(client, sms_form("+989121230004", "توقف!"))
    assert contact_of(session, "sms", "+989121230004").opted_out
    post_sms(client, sms_form("+989121230005", "STOP"))
    assert contact_of(session, "sms", "+989121230005").opted_out


def test_rasa_down_keeps_the_messages_acknowledges_once_then_answers_in_order(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    rasa.down = True
    post_tg(client, tg_text(601, "اول"))
    post_tg(client, tg_text(601, "دوم"))
    run(turns.process_pending(session, rasa))
    run(turns.process_pending(session, rasa, now=later(60)))
    deliver()
    assert [m.template for m in outbox_rows(session)] == ["received_ack"]
    assert {r.status for r in inbound_rows(session)} == {"pending"}
    # The retry asks the tracker first (Rasa is still down): the second waits its turn.
    assert [c["message"] for c in rasa.calls] == ["اول"] and len(rasa.lookups) == 1
    rasa.down = False
    rasa.replies = [{"text": "جواب"}]
    run(turns.process_pending(session, rasa, now=later(60)))
    deliver()
    deliver()  # one message per contact per round: in order
    assert [c["message"] for c in rasa.calls][-2:] == ["اول", "دوم"]
    assert [m.text for m in recorders["telegram"].sent][1:] == ["جواب", "جواب"]
    assert {r.status for r in inbound_rows(session)} == {"done"}
    # A later outage acknowledges again, once.
    rasa.down = True
    post_tg(client, tg_text(601, "سوم"))
    run(turns.process_pending(session, rasa))
    assert [m.template for m in outbox_rows(session)].count("received_ack") == 2


def test_slow_rasa_gets_one_acknowledgement_and_the_answer(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    rasa.delay = 0.8  # rasa_ack_after_seconds is 0.5 in these tests
    post_tg(client, tg_text(602, "سلام"))
    run(turns.process_pending(session, rasa))
    assert [m.template for m in outbox_rows(session)] == ["received_ack", None]


def test_during_an_active_handoff_messages_go_to_the_operator(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(603, "سلام"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", "603")
    case = make_case(session, contact=contact, channel="telegram")
    handoff = handoffs.request_human(session, contact, "asked", case)
    handoffs.claim(session, handoff, make_user(session).id)
    session.commit()
    post_tg(client, tg_text(603, "با یک انسان حرف می‌زنم"))
    run(turns.process_pending(session, rasa))
    assert len(rasa.calls) == 1
    row = inbound_rows(session)[-1]
    assert (row.status, row.handoff_id, row.case_id) == ("operator", handoff.id, case.id)
    bodies = session.scalars(
        select(TimelineEntry.body).where(
            TimelineEntry.case_id == case.id, TimelineEntry.kind == "message_in"
        )
    ).all()
    assert bodies == ["با یک انسان حرف می‌زنم"]
    lines = gateway.transcript(session, contact, handoff, may_see=lambda _case: True)
    assert [line.direction for line in lines] == ["in", "out", "in"]
    assert lines[-1].sender == "contact" and lines[1].sender == "bot"


def test_satisfaction_answer_by_persian_digit_is_recorded_not_sent_to_rasa(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    number = "+989121230005"
    post_sms(client, sms_form(number, "سلام"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "sms", number)
    case = make_case(session, contact=contact)
    gateway.ask_satisfaction(session, contact, case)
    session.commit()
    deliver()
    deliver()
    question = recorders["sms"].sent[-1]
    assert [b["payload"] for b in question.buttons] == [f"sat:{i}" for i in range(1, 6)]
    post_sms(client, sms_form(number, "۴"))
    run(turns.process_pending(session, rasa))
    session.refresh(case)
    assert case.satisfaction == 4
    assert len(rasa.calls) == 1
    assert outbox_rows(session)[-1].template == "satisfaction_thanks"


def test_satisfaction_by_telegram_button(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(604, "سلام"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", "604")
    case = make_case(session, contact=contact, channel="telegram")
    gateway.ask_satisfaction(session, contact, case)
    session.commit()
    post_tg(client, tg_callback(604, "sat:5"))
    run(turns.process_pending(session, rasa))
    session.refresh(case)
    assert case.satisfaction == 5 and len(rasa.calls) == 1


def test_the_assistant_gets_a_guess_of_the_language_never_the_number(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_sms(client, sms_form("+989121230020", "سلام، تذکره‌ام گم شده، چطور کنم؟"))
    post_sms(client, sms_form("+989121230021", "ببخشید، می‌خواستم بپرسم پول کی واریز میشه؟"))
    post_sms(client, sms_form("+989121230022", "سلام"))
    run(turns.process_pending(session, rasa))
    assert [call["metadata"] for call in rasa.calls] == [
        {"channel": "sms", "language": None, "language_guess": guess}
        for guess in ("prs", "fa", None)
    ]


def test_sms_menu_reply_selects_the_button_payload(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    rasa.replies = [
        {
            "text": "زبان:",
            "buttons": [
                {"title": "دری", "payload": '/set_language{"language":"prs"}'},
                {"title": "فارسی", "payload": '/set_language{"language":"fa"}'},
            ],
        }
    ]
    number = "+989121230006"
    post_sms(client, sms_form(number, "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    sent = recorders["sms"].sent[0]
    rendered = sms_menu(sent.text, sent.buttons, sent.language)
    assert rendered.endswith("۱. دری\n۲. فارسی")
    post_sms(client, sms_form(number, "١"))  # Arabic-Indic one
    run(turns.process_pending(session, rasa))
    assert rasa.calls[1]["message"] == '/set_language{"language":"prs"}'
    post_sms(client, sms_form(number, "2"))  # the menu answered one question only
    rasa.replies = []
    run(turns.process_pending(session, rasa))
    assert rasa.calls[2]["message"] == '/set_language{"language":"fa"}'
    post_sms(client, sms_form(number, "2"))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[3]["message"] == "2"


def test_a_turn_with_two_menus_numbers_only_the_last(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    rasa.replies = [
        {"text": "زبان:", "buttons": [{"title": "دری", "payload": "/dari"}]},
        {"text": "موضوع:", "buttons": [{"title": "کمک نقدی", "payload": "/cash"}]},
    ]
    number = "+989121230016"
    post_sms(client, sms_form(number, "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    deliver()  # one message of a person's at a time, in order
    first, second = (sms_menu(m.text, m.buttons, m.language) for m in recorders["sms"].sent)
    assert "۱." not in first and "۱. کمک نقدی" in second
    rasa.replies = []
    post_sms(client, sms_form(number, "۱"))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[1]["message"] == "/cash"


def test_long_payloads_travel_as_a_short_key(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    long_payload = (
        '/inform{"province":"Sistan and Baluchestan","topic":"HEALTH","extra":"xxxxxxxx"}'
    )
    rasa.replies = [{"text": "?", "buttons": [{"title": "سیستان", "payload": long_payload}]}]
    post_tg(client, tg_text(605, "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()
    data = recorders["telegram"].sent[0].buttons[0]["data"]
    assert data.startswith("k:") and len(data.encode()) <= 64
    assert (
        session.scalar(select(CallbackPayload.payload).where(CallbackPayload.key == data))
        == long_payload
    )
    post_tg(client, tg_callback(605, data))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[1]["message"] == long_payload


def test_data_deletion_confirmation_still_goes_out_then_nothing_is_kept(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    number = "+989121230007"
    post_sms(client, sms_form(number, "سلام"))
    run(turns.process_pending(session, rasa))
    deliver()

    def erase(sender: str, message: str) -> None:
        # The action server's DELETE /contacts/{pseudonym} arrives during the turn.
        flows.delete_my_data(session, contacts.by_pseudonym(session, sender), messaging())
        session.commit()

    rasa.on_call = erase
    rasa.replies = [{"text": "اطلاعات شما پاک شد."}]
    post_sms(client, sms_form(number, "اطلاعاتم را پاک کن"))
    run(turns.process_pending(session, rasa))
    deliver()
    assert recorders["sms"].sent[-1].text == "اطلاعات شما پاک شد."
    assert recorders["sms"].sent[-1].address == number
    session.expire_all()
    for row in outbox_rows(session):
        assert row.address is None and row.text is None and row.contact_id is None
    for msg in session.scalars(select(InboundMessage)).all():
        assert msg.text is None and msg.contact_id is None


def test_notify_queues_the_late_reference_in_the_contacts_language(
    client: TestClient, session: Session, rasa: FakeRasa, service_headers: dict[str, str]
) -> None:
    post_tg(client, tg_text(606, "سلام"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", "606")
    contact.language = "prs"
    session.commit()
    response = client.post(
        "/api/v1/bot/cases",
        headers=service_headers,
        json={
            "client_key": "spool-0001",
            "contact": contact.pseudonym,
            "type": "complaint",
            "category": "CMN",
            "topic": "GEN",
            "channel": "telegram",
            "language": "prs",
            "notify_contact": True,
        },
    )
    assert response.status_code == 201, response.text
    row = outbox_rows(session)[-1]
    assert row.template == "case_reference" and row.kind == "notice"
    assert "نمبر" in (row.text or "") and response.json()["reference_display"] in (row.text or "")


def test_a_turn_retried_after_a_timeout_is_neither_sent_nor_answered_twice(
    client: TestClient, session: Session, rasa: FakeRasa, deliver, recorders: dict[str, Recorder]
) -> None:
    rasa.answer_lost = True  # Rasa handles the turn (files the case); the answer is lost
    rasa.replies = [{"text": "شماره پیگیری شما: ۱۲۳۴"}]
    post_tg(client, tg_text(605, "به من آزار رساندند"))
    run(turns.process_pending(session, rasa))
    (row,) = inbound_rows(session)
    assert (row.status, row.attempts) == ("pending", 1)
    rasa.answer_lost = False
    run(turns.process_pending(session, rasa, now=later(60)))
    deliver()
    deliver()
    assert len(rasa.calls) == 1  # asked the tracker instead of sending it again
    assert rasa.lookups == [rasa.calls[0]["message_id"]] == [f"gw-{row.id}"]
    texts = [m.text for m in recorders["telegram"].sent]
    assert texts.count("شماره پیگیری شما: ۱۲۳۴") == 1
    assert inbound_rows(session)[0].status == "done"


def test_a_retry_sends_the_message_when_rasa_never_handled_it(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    rasa.down = True
    post_tg(client, tg_text(606, "سلام"))
    run(turns.process_pending(session, rasa))
    rasa.down = False
    run(turns.process_pending(session, rasa, now=later(60)))
    assert [c["message"] for c in rasa.calls] == ["سلام", "سلام"]
    assert rasa.calls[0]["message_id"] == rasa.calls[1]["message_id"]
    assert inbound_rows(session)[0].status == "done"
