"""Live chats as the staff take them: claim, take over, release, reply, end (handoff.service).

(An idle chat ending on its own is the channel worker's: tests/channels/test_handoff_expiry.py.)
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from channels.models import OutboxMessage
from feedback_api.audit.models import AuditEntry
from feedback_api.contacts.models import Contact
from feedback_api.errors import Conflict, NotFound
from feedback_api.handoff import service as handoffs
from feedback_api.main import messaging
from feedback_api.messaging import GatewayUnavailable, NoMessaging
from tests.factories import make_case, make_contact, make_handoff, make_user


def _goodbye(language: str | None) -> str:
    return f"goodbye in {language}"


def test_a_waiting_chat_is_claimed_once(session: Session) -> None:
    handoff = make_handoff(session)
    first, second = make_user(session, "operator"), make_user(session, "operator")
    handoffs.claim_for(session, first, handoff.id)
    assert (handoff.status, handoff.claimed_by_id) == ("active", first.id)
    handoffs.claim_for(session, first, handoff.id)  # claiming one's own chat again is fine
    with pytest.raises(Conflict) as refused:
        handoffs.claim_for(session, second, handoff.id)
    assert refused.value.code == "handoff_taken" and refused.value.status_code == 409
    assert handoff.claimed_by_id == first.id


def test_a_chat_about_an_abuse_report_exists_only_for_its_focal_point(session: Session) -> None:
    contact = make_contact(session, "telegram", "5550001")
    report = make_case(session, category="SEA", contact=contact)
    handoff = handoffs.request_human(session, contact, "human", report)
    session.commit()
    for role in ("operator", "cfm_manager"):
        with pytest.raises(NotFound):
            handoffs.claim_for(session, make_user(session, role), handoff.id)
    focal = make_user(session, "psea_focal_point")
    assert [h.id for h, _case in handoffs.visible(session, focal)] == [handoff.id]
    handoffs.claim_for(session, focal, handoff.id)
    assert handoff.claimed_by_id == focal.id
    audited = session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == focal.id))
    assert "handoff.read" in set(audited)


def test_only_the_holder_or_a_manager_releases_and_only_a_manager_takes_over(
    session: Session,
) -> None:
    handoff = make_handoff(session)
    holder, colleague = make_user(session, "operator"), make_user(session, "operator")
    manager = make_user(session, "cfm_manager")
    handoffs.claim_for(session, holder, handoff.id)
    with pytest.raises(Conflict):
        handoffs.release_by(session, colleague, handoff.id)
    with pytest.raises(NotFound):  # an operator cannot even see that there is a take-over
        handoffs.take_over(session, colleague, handoff.id)
    handoffs.take_over(session, manager, handoff.id)
    assert handoff.claimed_by_id == manager.id
    handoffs.release_by(session, manager, handoff.id)
    assert (handoff.status, handoff.claimed_by_id, handoff.claimed_at) == ("waiting", None, None)
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.user_id == manager.id))
    assert {"handoff.take", "handoff.release"} <= set(actions)


def test_only_the_holder_writes_and_ends_and_the_person_is_told(session: Session) -> None:
    handoff = make_handoff(session)
    person = session.get(Contact, handoff.contact_id)
    assert person is not None
    person.language = "prs"
    holder, colleague = make_user(session, "operator"), make_user(session, "operator")
    gateway = messaging()
    with pytest.raises(Conflict):  # nobody holds it yet
        handoffs.reply(session, gateway, holder, handoff.id, "hello")
    handoffs.claim_for(session, holder, handoff.id)
    handoffs.reply(session, gateway, holder, handoff.id, "hello")
    for act in (
        lambda: handoffs.reply(session, gateway, colleague, handoff.id, "me too"),
        lambda: handoffs.end_by(session, gateway, colleague, handoff.id, goodbye=_goodbye),
    ):
        with pytest.raises(Conflict) as refused:
            act()
        assert refused.value.code == "not_your_chat"
    handoffs.end_by(session, gateway, holder, handoff.id, goodbye=_goodbye)
    assert handoff.status == "ended" and handoff.ended_at is not None
    sent = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.contact_id == handoff.contact_id)
        .order_by(OutboxMessage.id)
    ).all()
    assert [(m.text, m.sender) for m in sent] == [
        ("hello", f"operator:{holder.username}"),
        ("goodbye in prs", "system"),
    ]


def test_without_a_gateway_a_chat_still_ends_but_nothing_is_sent(session: Session) -> None:
    handoff = make_handoff(session)
    holder = make_user(session, "operator")
    handoffs.claim_for(session, holder, handoff.id)
    with pytest.raises(GatewayUnavailable):
        handoffs.reply(session, NoMessaging(), holder, handoff.id, "hello")
    handoffs.end_by(session, NoMessaging(), holder, handoff.id, goodbye=_goodbye)
    assert handoff.status == "ended"


def test_an_ended_chat_is_read_only_by_its_holder_and_the_manager(session: Session) -> None:
    handoff = make_handoff(session)
    holder = make_user(session, "operator")
    handoffs.claim_for(session, holder, handoff.id)
    handoffs.end_by(session, NoMessaging(), holder, handoff.id, goodbye=_goodbye)
    assert handoffs.get_for_user(session, holder, handoff.id) is handoff
    assert handoffs.get_for_user(session, make_user(session, "cfm_manager"), handoff.id)
    with pytest.raises(NotFound):
        handoffs.get_for_user(session, make_user(session, "operator"), handoff.id)
