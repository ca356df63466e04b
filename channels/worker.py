"""Background workers started with the app: the outbox sender and the inbound processor.

They run on the event loop but never touch the database there: every database phase runs
in a worker thread (channels.dbthread); only the network I/O is awaited on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from channels import dbthread, inbound, outbox, signals, sms, telegram
from channels.rasa_client import HttpRasaClient, RasaClient
from channels.transports import NullTransport, Transport, WebTransport
from feedback_api.db import get_sessionmaker, utcnow
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)

MAX_CONCURRENT_CONTACTS = 8


def build_transports() -> dict[str, Transport]:
    transports: dict[str, Transport] = {"web": WebTransport()}
    bot = telegram.make_bot()
    transports["telegram"] = (
        telegram.TelegramTransport(bot) if bot is not None else NullTransport("telegram")
    )
    twilio = sms.make_transport()
    transports["sms"] = twilio if twilio is not None else NullTransport("sms")
    return transports


class Workers:
    def __init__(
        self,
        transports: Mapping[str, Transport],
        rasa: RasaClient,
        sessions: sessionmaker[Session],
        limits: outbox.Limits | None = None,
        idle_seconds: float = 1.0,
    ) -> None:
        self.transports = transports
        self.rasa = rasa
        self.sessions = sessions
        self.limits = limits or outbox.Limits.from_settings()
        self.idle = idle_seconds
        self.in_flight: set[str] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.inbound_event = asyncio.Event()
        self.outbox_event = asyncio.Event()

    async def _wait(self, event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)
        event.clear()

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[Session]:
        """A session for one round; its database work runs in threads (channels.dbthread)."""
        session = self.sessions()
        try:
            yield session
        finally:
            await dbthread.close(session)

    async def run_outbox(self) -> None:
        while True:
            try:
                async with self._session() as session:
                    attempted = await outbox.deliver_due(session, self.transports, self.limits)
            except Exception:
                log.exception("outbox worker error")
                attempted = 0
            if attempted == 0:
                await self._wait(self.outbox_event, self.idle)
            else:
                await asyncio.sleep(0.05)

    async def _contact(self, contact_id: str) -> None:
        try:
            async with self._session() as session:
                await inbound.process_contact(session, self.rasa, contact_id)
        except Exception:
            log.exception("inbound worker error")
        finally:
            self.in_flight.discard(contact_id)
            self.inbound_event.set()

    async def run_inbound(self) -> None:
        while True:
            try:
                async with self._session() as session:
                    due = await dbthread.phase(session, inbound.contacts_with_pending, utcnow())
            except Exception:
                log.exception("inbound worker error")
                due = []
            for contact_id in due:
                if contact_id in self.in_flight or len(self.in_flight) >= MAX_CONCURRENT_CONTACTS:
                    continue
                self.in_flight.add(contact_id)
                task = asyncio.create_task(self._contact(contact_id))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            await self._wait(self.inbound_event, self.idle)

    async def answer_callback(self, callback_query_id: str) -> None:
        transport = self.transports.get("telegram")
        if isinstance(transport, telegram.TelegramTransport):
            await transport.answer_callback(callback_query_id)


_current: Workers | None = None


def current() -> Workers | None:
    return _current


def answer_callback_soon(callback_query_id: str) -> None:
    """Stop the button's spinner (best effort, never blocks the webhook)."""
    workers = _current
    if workers is None:
        return
    task = asyncio.get_running_loop().create_task(workers.answer_callback(callback_query_id))
    workers.tasks.add(task)
    task.add_done_callback(workers.tasks.discard)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    global _current
    settings = get_settings()
    if not settings.channels_workers:
        yield
        return
    workers = Workers(build_transports(), HttpRasaClient(), get_sessionmaker())
    loop = asyncio.get_running_loop()
    signals.register("inbound", loop, workers.inbound_event)
    signals.register("outbox", loop, workers.outbox_event)
    _current = workers
    runners = [
        asyncio.create_task(workers.run_outbox(), name="channels-outbox"),
        asyncio.create_task(workers.run_inbound(), name="channels-inbound"),
    ]
    log.info("channel workers started")
    try:
        yield
    finally:
        _current = None
        signals.unregister("inbound")
        signals.unregister("outbox")
        for task in runners + list(workers.tasks):
            task.cancel()
        await asyncio.gather(*runners, *workers.tasks, return_exceptions=True)
        log.info("channel workers stopped")
