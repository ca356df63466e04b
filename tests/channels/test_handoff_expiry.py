"""A live chat nobody writes in returns to the assistant, and the person is told."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from channels import gateway, routing, texts, turns
from feedback_api.db import utcnow
from feedback_api.handoff import service as handoffs
from feedback_api.handoff.models import Handoff
from feedback_api.settings import Settings
from tests.channels.conftest import FakeRasa, run
from tests.channels.factories import tg_text
from tests.channels.helpers import contact_of, outbox_rows, post_tg
from tests.factories import make_user


def _claimed(
    client: TestClient, session: Session, rasa: FakeRasa, chat: int, language: str
) -> Handoff:
    post_tg(client, tg_text(chat, "سلام"))
    run(turns.process_pending(session, rasa))
    contact = contact_of(session, "telegram", str(chat))
    contact.language = language
    handoff = handoffs.request_human(session, contact, "asked", None)
    handoffs.claim(session, handoff, make_user(session).id)
    session.commit()
    return handoff


def _minutes(n: float) -> dt.datetime:
    return utcnow() + dt.timedelta(minutes=n)


def test_an_idle_chat_returns_to_the_assistant_and_the_person_is_told(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    handoff = _claimed(client, session, rasa, 801, "prs")
    assert routing.expire_idle_handoffs(session, _minutes(29)) == 0
    assert routing.expire_idle_handoffs(session, _minutes(31)) == 1
    session.commit()
    session.refresh(handoff)
    assert handoff.status == "ended"
    notice = outbox_rows(session)[-1]
    assert (notice.template, notice.kind) == ("handoff_idle", "notice")
    assert notice.text == texts.text("handoff_idle", "prs")
    # The person's next message goes to the assistant again.
    post_tg(client, tg_text(801, "هستید؟"))
    run(turns.process_pending(session, rasa))
    assert rasa.calls[-1]["message"] == "هستید؟"


def test_messages_either_way_keep_the_chat_open(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    handoff = _claimed(client, session, rasa, 802, "fa")
    contact = contact_of(session, "telegram", "802")
    handoff.claimed_at = utcnow() - dt.timedelta(minutes=50)
    gateway.send_text(session, contact, "در خدمتم", kind="operator", sender="operator:x")
    session.commit()
    assert routing.expire_idle_handoffs(session, _minutes(20)) == 0  # the operator wrote
    assert routing.expire_idle_handoffs(session, _minutes(31)) == 1


def test_the_person_writing_keeps_the_chat_open(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    handoff = _claimed(client, session, rasa, 803, "fa")
    handoff.claimed_at = utcnow() - dt.timedelta(minutes=50)
    session.commit()
    post_tg(client, tg_text(803, "هنوز منتظرم"))
    run(turns.process_pending(session, rasa))
    assert routing.expire_idle_handoffs(session, utcnow()) == 0
    session.refresh(handoff)
    assert handoff.status == "active"


def test_the_idle_time_is_a_setting(
    client: TestClient,
    session: Session,
    rasa: FakeRasa,
    channel_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(channel_settings, "handoff_idle_minutes", 5)
    _claimed(client, session, rasa, 804, "fa")
    assert routing.expire_idle_handoffs(session, _minutes(6)) == 1
