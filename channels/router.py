"""Webhooks: one route per path of each provider, all alike. Verified first (403, nothing
stored, for a forged or replayed request), parsed into the common shapes, stored, then
answered the way the provider expects.

The routes are async because they read the body; their database work runs in the
threadpool and is committed there, never on the event loop (on SQLite a transaction holds
the write lock, see channels.dbthread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Concatenate, ParamSpec, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from channels import gateway, signals
from channels.providers.base import Provider, Received, WebhookRequest
from feedback_api.deps import SessionDep

log = logging.getLogger(__name__)


P = ParamSpec("P")
T = TypeVar("T")


async def _store(
    session: Session,
    func: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`func(session, ...)` and the commit (rollback on error), in the threadpool."""

    def work() -> T:
        try:
            result = func(session, *args, **kwargs)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return result

    return await run_in_threadpool(work)


class _OneAtATime:
    """Each sender's webhook requests are stored one after another.

    A flood from one sender then holds one thread of the pool at a time (the rest of it
    waits on the event loop, which costs nothing), instead of all of them competing with
    the workers and everyone else's messages for the interpreter and the database.
    """

    def __init__(self) -> None:
        self.locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, sender: str) -> AsyncIterator[None]:
        lock, users = self.locks.get(sender, (asyncio.Lock(), 0))
        self.locks[sender] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self.locks[sender]
            if users == 1:
                del self.locks[sender]
            else:
                self.locks[sender] = (lock, users - 1)


senders = _OneAtATime()


def _endpoint(provider: Provider) -> Callable[[Request, Session], Awaitable[Response]]:
    async def webhook(request: Request, session: SessionDep) -> Response:
        hook = WebhookRequest(
            path=request.url.path,
            url=str(request.url),
            headers=request.headers,
            body=await request.body(),
        )
        if not provider.verify(hook):
            log.warning("%s webhook %s: not verified", provider.name, hook.path)
            return JSONResponse({"detail": "forbidden"}, status_code=403)
        events = provider.parse(hook)
        if events is None:
            return JSONResponse({"detail": "not a request this webhook takes"}, status_code=400)
        people = {event.address for event in events if isinstance(event, Received)}
        async with senders.turn(f"{provider.name}:{min(people, default='')}"):
            await _store(session, gateway.receive, provider, events)
        if people:
            signals.wake("inbound")
            background(provider.stored(events))
        return provider.answer(hook)

    return webhook


def webhooks(providers: Mapping[str, Provider]) -> APIRouter:
    """The webhook routes of every provider (documented: they are the public door)."""
    router = APIRouter(tags=["channels"])
    for provider in providers.values():
        for path in provider.paths:
            router.add_api_route(
                path,
                _endpoint(provider),
                methods=["POST"],
                name=f"{provider.name}:{path}",
                summary=f"{provider.name} webhook",
            )
    return router


_tasks: set[asyncio.Task[None]] = set()


def background(work: Awaitable[None]) -> None:
    """Best effort after the answer (a button's spinner): never holds the webhook."""

    async def run() -> None:
        try:
            await work
        except Exception:
            log.exception("after-webhook task failed")

    task = asyncio.get_running_loop().create_task(run())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
