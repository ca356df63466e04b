"""Every text is checked for a disclosure before anything else: first message, inside a form,
during a live chat. A disclosure becomes a case only its focal point opens; its words never
reach the assistant, and never an operator's chat or an ordinary case."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import gateway, turns
from feedback_api.audit.models import AuditEntry
from feedback_api.cases.models import Case, TimelineEntry
from feedback_api.cases.state_machine import Status
from feedback_api.handoff import service as handoffs
from tests.channels.conftest import FakeRasa, Recorder, run
from tests.channels.factories import sms_form, tg_text
from tests.channels.helpers import contact_of, inbound_rows, outbox_rows, post_sms, post_tg
from tests.factories import auth, csrf_of, login_as, make_case, make_user

SEA_TEXT = "مسئول توزیع گفت اگر یک شب پیشش بمانم اسمم را در لیست کمک می‌نویسد"
SAF_DANGER = "شوهرم هر شب منو میزنه و گفته میکشمت، میترسم"
LOOKALIKE = "کمک جنسی این ماه کی توزیع میشه؟"


def cases_of(session: Session) -> list[Case]:
    return list(session.scalars(select(Case).order_by(Case.id)))


def test_a_first_message_disclosure_is_filed_for_the_focal_point_only(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(701, SEA_TEXT))
    run(turns.process_pending(session, rasa))

    [case] = cases_of(session)
    assert (case.category, case.sensitivity, case.type) == ("SEA", "S3", "report")
    assert case.description == SEA_TEXT
    assert inbound_rows(session)[-1].case_id == case.id
    # The assistant answers without ever seeing the words.
    [call] = rasa.calls
    assert SEA_TEXT not in call["message"]
    intent, entities = call["message"].split("{", 1)
    assert intent == "/report_misconduct"
    assert json.loads("{" + entities) == {"disclosure": "SEA", "filed_reference": case.reference}

    for role, status in (
        ("psea_focal_point", 200),
        ("protection_focal_point", 404),
        ("cfm_manager", 404),
        ("operator", 404),
        ("accountability_staff", 404),
        ("data_protection_officer", 404),
        ("admin", 404),
    ):
        answer = client.get(
            f"/api/v1/cases/{case.reference}", headers=auth(make_user(session, role))
        )
        assert answer.status_code == status, role


def test_danger_is_said_to_the_assistant_and_the_case_is_for_protection(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_sms(client, sms_form("+989121239001", SAF_DANGER))
    run(turns.process_pending(session, rasa))
    [case] = cases_of(session)
    assert case.category == "SAF"
    intent, entities = rasa.calls[0]["message"].split("{", 1)
    assert intent == "/need_protection"
    assert json.loads("{" + entities)["danger"] == "yes"


def test_a_look_alike_goes_to_the_assistant_as_it_is(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(702, LOOKALIKE))
    run(turns.process_pending(session, rasa))
    assert cases_of(session) == []
    assert [c["message"] for c in rasa.calls] == [LOOKALIKE]


def test_the_same_delivery_twice_files_one_case(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    update = tg_text(703, SEA_TEXT)
    post_tg(client, update)
    post_tg(client, update)
    run(turns.process_pending(session, rasa))
    assert len(cases_of(session)) == 1


def test_a_disclosure_during_a_live_chat_is_masked_for_the_operator(
    client: TestClient,
    session: Session,
    rasa: FakeRasa,
    deliver,
    recorders: dict[str, Recorder],
) -> None:
    post_tg(client, tg_text(704, "سلام"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", "704")
    cash = make_case(session, contact=contact, channel="telegram", description="پول نقد نرسید")
    handoff = handoffs.request_human(session, contact, "asked", cash)
    operator = make_user(session, "operator")
    handoffs.claim(session, handoff, operator.id)
    session.commit()

    post_tg(client, tg_text(704, SAF_DANGER))
    run(turns.process_pending(session, rasa))
    while deliver():  # one message per contact per round
        pass

    assert len(rasa.calls) == 1  # only the greeting: a live chat never goes to the assistant
    saf = cases_of(session)[-1]
    assert saf.category == "SAF" and saf.id != cash.id
    # The words are in the focal point's case, not in the cash complaint.
    bodies = session.scalars(
        select(TimelineEntry.body).where(
            TimelineEntry.case_id == cash.id, TimelineEntry.kind == "message_in"
        )
    ).all()
    assert SAF_DANGER not in bodies
    # The person hears at once that it is safe, with the emergency numbers first.
    assert [m.template for m in outbox_rows(session)[-2:]] == [
        "emergency_numbers",
        "disclosure_received",
    ]
    assert "۱۱۵" in recorders["telegram"].sent[-2].text

    # An operator may see the cash complaint, not the SAF report.
    lines = gateway.transcript(session, contact, handoff, may_see=lambda case_id: case_id != saf.id)
    texts = [line.text for line in lines]
    assert SAF_DANGER not in texts and None in texts
    masked = [line for line in lines if line.masked]
    assert [line.direction for line in masked] == ["in", "out", "out"]


def test_the_s3_purge_clears_the_disclosure_from_the_channel_tables(
    client: TestClient, session: Session, rasa: FakeRasa, deliver
) -> None:
    post_tg(client, tg_text(705, SEA_TEXT))
    run(turns.process_pending(session, rasa))
    deliver()
    [case] = cases_of(session)
    focal = make_user(session, "psea_focal_point")
    for status in ("REFERRED_INTERNAL", "CLOSED_REFERRED"):
        client.post(
            f"/api/v1/cases/{case.reference}/status", json={"status": status}, headers=auth(focal)
        )
    session.expire_all()
    assert session.get(Case, case.id).status == Status.CLOSED_REFERRED  # type: ignore[union-attr]
    row = next(r for r in inbound_rows(session) if r.case_id == case.id)
    assert row.text is None


def test_an_operator_reads_only_the_chat_and_never_an_earlier_disclosure(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    """Reported abuse, later an ordinary complaint about cash, then asked for a person."""
    post_tg(client, tg_text(706, SEA_TEXT))
    run(turns.process_pending(session, rasa))
    for n in range(12):
        post_tg(client, tg_text(706, f"پیام شماره {n}"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", "706")
    cash = make_case(session, contact=contact, channel="telegram", description="پول نقد نرسید")
    handoff = handoffs.request_human(session, contact, "request_human", cash)
    session.commit()
    operator = make_user(session, "operator")
    login_as(client, operator)
    client.post(f"/console/handoffs/{handoff.id}/claim", data={"csrf_token": csrf_of(client)})
    post_tg(client, tg_text(706, "سلام، پول من کجاست؟"))
    run(turns.process_pending(session, rasa))

    page = client.get(f"/console/chat/{handoff.id}")
    lines = client.get(f"/console/chat/{handoff.id}/messages.json").json()["lines"]
    assert SEA_TEXT not in page.text and all(line["text"] != SEA_TEXT for line in lines)
    # The chat, and the few bot turns before it: not the person's whole history.
    assert lines[-1]["text"] == "سلام، پول من کجاست؟"
    assert len(lines) <= 11
    reads = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "chat.read", AuditEntry.user_id == operator.id
        )
    ).all()
    assert len(reads) == 1  # the page and its poll within minutes: one entry

    # Ended, the chat stays readable by whoever held it and the manager, no one else.
    client.post(f"/console/chat/{handoff.id}/end", data={"csrf_token": csrf_of(client)})
    assert client.get(f"/console/chat/{handoff.id}").status_code == 200
    login_as(client, make_user(session, "operator"))
    assert client.get(f"/console/chat/{handoff.id}").status_code == 404
    assert client.get(f"/console/chat/{handoff.id}/messages.json").status_code == 404
    login_as(client, make_user(session, "cfm_manager"))
    assert client.get(f"/console/chat/{handoff.id}").status_code == 200


def test_a_chat_tied_to_an_abuse_report_opens_only_for_its_focal_point(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    post_tg(client, tg_text(707, SEA_TEXT))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", "707")
    [case] = cases_of(session)
    handoff = handoffs.request_human(session, contact, "affirm", case)
    session.commit()
    for role in ("operator", "cfm_manager", "protection_focal_point"):
        login_as(client, make_user(session, role))
        assert client.get(f"/console/chat/{handoff.id}").status_code == 404, role
    login_as(client, make_user(session, "psea_focal_point"))
    page = client.get(f"/console/chat/{handoff.id}")
    assert page.status_code == 200 and SEA_TEXT in page.text


def test_typing_1_accepts_the_offer_of_a_person_on_telegram_too(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    rasa.replies = [
        {"text": "ممنون که گفتید. کد: 1234-5674"},
        {
            "text": "می‌خواهید با یکی از همکاران ما صحبت کنید؟",
            "buttons": [
                {"title": "بله، با همکار", "payload": "/request_human"},
                {"title": "نه، ممنون", "payload": "/deny"},
            ],
        },
    ]
    post_tg(client, tg_text(708, SEA_TEXT))
    run(turns.process_pending(session, rasa))
    post_tg(client, tg_text(708, "۱"))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[-1]["message"] == "/request_human"
