"""One sender's flood: stored whole, handled at a bounded rate, after everyone else."""

from __future__ import annotations

import asyncio
import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from channels import turns
from channels.models import InboundMessage
from feedback_api.db import utcnow
from feedback_api.settings import Settings
from tests.channels.conftest import FakeRasa, run
from tests.channels.factories import tg_text
from tests.channels.helpers import contact_of, inbound_rows, post_tg

FLOODER = 777001


def _flood(client: TestClient, count: int) -> None:
    for n in range(count):
        assert post_tg(client, tg_text(FLOODER, f"flood {n}")).status_code == 200


def test_a_flood_is_stored_whole_and_handled_at_a_bounded_rate(
    client: TestClient, session: Session, rasa: FakeRasa, channel_settings: Settings
) -> None:
    _flood(client, 45)
    assert len(inbound_rows(session)) == 45
    run(turns.process_pending(session, rasa))
    limit = channel_settings.inbound_contact_rate_per_minute
    assert len(rasa.calls) == limit
    assert [c["message"] for c in rasa.calls] == [f"flood {n}" for n in range(limit)]
    run(turns.process_pending(session, rasa))
    assert len(rasa.calls) == limit  # still within the minute
    # A minute later the next ones go, in order.
    session.execute(
        update(InboundMessage)
        .where(InboundMessage.processed_at.is_not(None))
        .values(processed_at=utcnow() - dt.timedelta(seconds=61))
    )
    session.commit()
    run(turns.process_pending(session, rasa))
    assert rasa.calls[limit]["message"] == f"flood {limit}"
    assert {r.status for r in inbound_rows(session)} == {"done", "pending"}


def test_other_people_are_answered_before_a_flood(
    client: TestClient, session: Session, rasa: FakeRasa
) -> None:
    _flood(client, 12)
    for chat in (777002, 777003, 777004):
        post_tg(client, tg_text(chat, f"hello from {chat}"))
    flooder = contact_of(session, "telegram", str(FLOODER))
    due = turns.contacts_with_pending(session, utcnow())
    assert len(due) == 4 and due[-1] == flooder.id
    run(turns.process_pending(session, rasa))
    assert [c["message"] for c in rasa.calls[:3]] == [
        "hello from 777002",
        "hello from 777003",
        "hello from 777004",
    ]


def test_one_senders_webhooks_are_stored_one_after_another() -> None:
    from channels.router import senders

    running: dict[str, int] = {}
    most: dict[str, int] = {}

    async def store(sender: str) -> None:
        async with senders.turn(sender):
            running[sender] = running.get(sender, 0) + 1
            most[sender] = max(most.get(sender, 0), running[sender])
            await asyncio.sleep(0.01)
            running[sender] -= 1

    async def flood() -> None:
        await asyncio.gather(*(store("tg:1") for _ in range(10)), store("tg:2"), store("tg:3"))

    asyncio.run(flood())
    assert most == {"tg:1": 1, "tg:2": 1, "tg:3": 1}
    assert senders.locks == {}  # nothing kept once a sender is done
