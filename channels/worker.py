"""Background workers started with the app: the outbox sender and the inbound processor.

They run on the event loop but never touch the database there: every database phase runs
in a worker thread (channels.dbthread); only the network I/O is awaited on the loop.

No polling on the way of a message: a stored message wakes the inbound worker with its
contact (channels.signals), which starts that contact's turn at once, and the replies are
sent as soon as the turn is stored. A look for due work every `idle` seconds is the safety
net: retries, leases run out, and messages another process stored but could not take. Any
number of processes may run the workers (channels/leases.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from channels import dbthread, leases, rasa_tracker, routing, sending, signals, turns
from channels.gateway import ChannelGateway
from channels.providers.base import Outgoing, Provider, Transport
from channels.rasa_client import HttpRasaClient, RasaClient
from feedback_api.db import get_sessionmaker, read_only, utcnow
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)

MAX_CONCURRENT_CONTACTS = 32
HANDOFF_SWEEP_SECONDS = 15.0


def _due_contacts(session: Session, now: dt.datetime) -> list[str]:
    """A read-only look (on SQLite it takes no write lock: webhooks keep storing)."""
    return turns.contacts_with_pending(read_only(session), now)


class WebTransport:
    """The simulator: nothing leaves the service, the page polls the outbox."""

    name = "web"

    async def send(self, message: Outgoing) -> str | None:
        return f"web-{message.outbox_id}"


def transports(providers: Mapping[str, Provider]) -> dict[str, Transport]:
    return {**providers, "web": WebTransport()}


class Workers:
    def __init__(
        self,
        transports: Mapping[str, Transport],
        rasa: RasaClient,
        sessions: sessionmaker[Session],
        limits: sending.RateLimiter | None = None,
        idle_seconds: float = 1.0,
    ) -> None:
        self.transports = transports
        self.rasa = rasa
        self.sessions = sessions
        self.limits = limits or sending.RateLimiter()
        self.sender = sending.ContactSender(transports, self.limits)
        self.idle = idle_seconds
        self.in_flight: set[str] = set()
        # Contacts that got a message while their task ran, and whether a contact was
        # left out for want of room (then a look for due work follows a finished task).
        self.again: set[str] = set()
        self.left_out = False
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
                    attempted = await sending.deliver_due(session, self.transports, self.limits)
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
                await turns.process_contact(session, self.rasa, contact_id, sender=self.sender)
        except Exception:
            log.exception("inbound worker error")
        finally:
            self.in_flight.discard(contact_id)
            if contact_id in self.again:
                self.again.discard(contact_id)
                self._start(contact_id)
            elif self.left_out:
                self.inbound_event.set()

    def _start(self, contact_id: str) -> None:
        if contact_id in self.in_flight:
            self.again.add(contact_id)  # its task may have looked already: look once more
            return
        if len(self.in_flight) >= MAX_CONCURRENT_CONTACTS:
            self.left_out = True
            return
        self.in_flight.add(contact_id)
        task = asyncio.create_task(self._contact(contact_id))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _look(self, expire_handoffs: bool) -> list[str]:
        """The contacts with due messages (flooding ones last), and the periodic chores."""
        try:
            async with self._session() as session:
                if expire_handoffs:
                    await dbthread.phase(session, routing.expire_idle_handoffs, utcnow())
                due = await dbthread.phase(session, _due_contacts, utcnow())
                await rasa_tracker.erase_due(
                    session, self.rasa, requested_before=rasa_tracker.settled_before()
                )
        except Exception:
            log.exception("inbound worker error")
            return []
        return due

    async def run_inbound(self) -> None:
        async with self._session() as session:
            await dbthread.phase(session, leases.free_after_restart)
        looked_at = expired_at = -HANDOFF_SWEEP_SECONDS
        while True:
            for contact_id in signals.take_hints("inbound"):
                self._start(contact_id)
            started = time.monotonic()
            if self.left_out or started - looked_at >= self.idle:
                self.left_out = False
                expire = started - expired_at >= HANDOFF_SWEEP_SECONDS
                for contact_id in await self._look(expire):
                    self._start(contact_id)
                looked_at = started
                expired_at = started if expire else expired_at
            await self._wait(self.inbound_event, max(0.0, looked_at + self.idle - time.monotonic()))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Both workers, woken by channels.signals, for as long as the app runs."""
        loop = asyncio.get_running_loop()
        signals.register("inbound", loop, self.inbound_event)
        signals.register("outbox", loop, self.outbox_event)
        runners = [
            asyncio.create_task(self.run_outbox(), name="channels-outbox"),
            asyncio.create_task(self.run_inbound(), name="channels-inbound"),
        ]
        log.info("channel workers started")
        try:
            yield
        finally:
            signals.unregister("inbound")
            signals.unregister("outbox")
            for task in runners + list(self.tasks):
                task.cancel()
            await asyncio.gather(*runners, *self.tasks, return_exceptions=True)
            log.info("channel workers stopped")


def lifespan(
    gateway: ChannelGateway,
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """The app's hook that runs the workers (unless CHANNELS_WORKERS=false)."""

    @contextlib.asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        if not get_settings().channels_workers:
            yield
            return
        workers = Workers(
            transports(gateway.providers),
            HttpRasaClient(),
            get_sessionmaker(),
            sending.RateLimiter.of(gateway.providers),
        )
        async with workers.running():
            yield

    return run
