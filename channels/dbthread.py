"""Database work of the gateway's async code runs in worker threads, never on the event loop.

On SQLite every transaction takes the write lock up front (BEGIN IMMEDIATE) and keeps it
until it ends. A blocking SQL call on the event loop that waits for the lock stops the whole
service, including the request that holds the lock and needs the loop to reach its commit:
everything hangs until busy_timeout (30 s). So the async code (the channel workers) works
in phases: each database phase runs in a thread and ends its transaction there (commit, or
rollback on error) before control returns to the loop; only network I/O (Rasa, Telegram,
Twilio) is awaited on the loop, with no transaction open. A Session moves between threads
one phase at a time and is never used concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from feedback_api.db import urgent_writes

P = ParamSpec("P")
T = TypeVar("T")


async def _to_thread_uncancelled(func: Callable[[], T]) -> T:
    """asyncio.to_thread, but a cancelled caller still waits for the thread to finish, so
    the session is never used again (closed, rolled back) while the thread is using it."""
    task = asyncio.ensure_future(asyncio.to_thread(func))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task})
        raise


async def phase(
    session: Session,
    func: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`func(session, *args, **kwargs)` in a worker thread, then commit (rollback on error).

    The phase's writes go ahead of request handlers' (feedback_api.db.urgent_writes).
    """

    def work() -> T:
        with urgent_writes():
            try:
                result = func(session, *args, **kwargs)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            return result

    return await _to_thread_uncancelled(work)


async def close(session: Session) -> None:
    """Close the session in a worker thread (closing may roll back: a database call)."""
    await _to_thread_uncancelled(session.close)
