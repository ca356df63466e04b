"""The inbound worker answers a stored message at once: woken with its contact, it takes
the turn and sends the reply as soon as it is stored, with no look for work in between
(here the periodic look would come only after an hour) and without the outbox loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete

from channels import inbound, signals
from channels.models import ContactState, InboundMessage, OutboxMessage
from channels.providers.base import Keywords, Outgoing, Received
from channels.worker import Workers
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import get_sessionmaker
from tests.channels.conftest import FakeRasa, Recorder

CHATS = ("880011", "880012")


class Telegram:
    name = "telegram"
    medium = "telegram"
    keywords = Keywords()


class Transport(Recorder):
    """Records, and hands each message over as it goes."""

    def __init__(self) -> None:
        super().__init__("telegram")
        self.queue: asyncio.Queue[Outgoing] = asyncio.Queue()

    async def send(self, message: Outgoing) -> str | None:
        await self.queue.put(message)
        return await super().send(message)


@pytest.fixture
def committed(engine: Engine) -> Iterator[None]:
    """These workers use sessions of their own: what they commit is removed after."""
    yield
    with get_sessionmaker()() as session:
        for chat in CHATS:
            contact = contacts.find(session, contacts.pseudonym_for("telegram", chat))
            if contact is None:
                continue
            for model in (OutboxMessage, InboundMessage):
                session.execute(delete(model).where(model.contact_id == contact.id))
            session.execute(delete(ContactState).where(ContactState.contact_id == contact.id))
            session.execute(delete(Contact).where(Contact.id == contact.id))
        session.commit()


def _store(chat: str, text: str) -> None:
    with get_sessionmaker()() as session:
        inbound.store(session, Telegram(), Received(f"wake-{chat}", chat, text=text))
        session.commit()
    signals.wake("inbound")


def test_a_stored_message_is_answered_at_once_without_polling(
    committed: None, rasa: FakeRasa
) -> None:
    async def scenario() -> Transport:
        telegram = Transport()
        workers = Workers({"telegram": telegram}, rasa, get_sessionmaker(), idle_seconds=3600)
        signals.register("inbound", asyncio.get_running_loop(), workers.inbound_event)
        # The first message is there before the worker starts: its first look finds it.
        await asyncio.to_thread(_store, CHATS[0], "سلام 1")
        task = asyncio.create_task(workers.run_inbound())
        try:
            await asyncio.wait_for(telegram.queue.get(), timeout=20)
            await asyncio.gather(*workers.tasks)
            # The next look is an hour away: only the wake can start this one.
            await asyncio.to_thread(_store, CHATS[1], "سلام 2")
            await asyncio.wait_for(telegram.queue.get(), timeout=20)
            return telegram
        finally:
            signals.unregister("inbound")
            task.cancel()
            await asyncio.gather(task, *workers.tasks, return_exceptions=True)

    telegram = asyncio.run(scenario())
    assert [c["message"] for c in rasa.calls] == ["سلام 1", "سلام 2"]
    assert [m.text for m in telegram.sent] == ["سلام", "سلام"]
