"""SQLite writers of the process take turns: in arrival order, the workers' first."""

from __future__ import annotations

import threading
import time

from feedback_api.db import WriteTurns, urgent_writes


def test_writers_take_turns_in_order_and_urgent_ones_first() -> None:
    turns = WriteTurns()
    assert turns.acquire(1)
    order: list[str] = []

    def writer(name: str, urgent: bool) -> None:
        if urgent:
            with urgent_writes():
                assert turns.acquire(5)
        else:
            assert turns.acquire(5)
        order.append(name)
        turns.release()

    threads = []
    for name, urgent in (("request 1", False), ("request 2", False), ("worker", True)):
        thread = threading.Thread(target=writer, args=(name, urgent))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # queued in this order
    turns.release()
    for thread in threads:
        thread.join(5)
    assert order == ["worker", "request 1", "request 2"]


def test_a_writer_gives_up_after_its_timeout() -> None:
    turns = WriteTurns()
    assert turns.acquire(1)
    assert turns.acquire(0.05) is False
    turns.release()
    assert turns.acquire(0.05)  # nothing left waiting on a turn that gave up
