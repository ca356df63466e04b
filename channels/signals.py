"""Wake the workers when there is work (thread-safe; a no-op when they are not running)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

_waiters: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}
_listeners: list[Callable[[str], None]] = []


def register(name: str, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    _waiters[name] = (loop, event)


def unregister(name: str) -> None:
    _waiters.pop(name, None)


def wake(name: str) -> None:
    """`name` is "inbound" or "outbox"."""
    for listener in _listeners:
        listener(name)
    waiter = _waiters.get(name)
    if waiter is None:
        return
    loop, event = waiter
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        event.set()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(event.set)
