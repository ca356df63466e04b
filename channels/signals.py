"""Wake the workers when there is work (thread-safe; a no-op when they are not running)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

_waiters: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}
_listeners: list[Callable[[str], None]] = []
_hints: dict[str, set[str]] = {}
_hints_lock = threading.Lock()


def register(name: str, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
    _waiters[name] = (loop, event)


def unregister(name: str) -> None:
    _waiters.pop(name, None)
    take_hints(name)


def hint(name: str, key: str) -> None:
    """What the next wake is about (the contact of a stored message): the worker starts on
    it at once instead of looking for work. Kept only while that worker runs."""
    if name in _waiters:
        with _hints_lock:
            _hints.setdefault(name, set()).add(key)


def take_hints(name: str) -> set[str]:
    with _hints_lock:
        return _hints.pop(name, set())


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
