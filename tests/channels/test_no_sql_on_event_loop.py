"""No SQL statement of the gateway runs on an event loop's thread.

On SQLite a transaction holds the write lock from its first statement; a blocking SQL call
on the loop that waits for it stalls the whole service (see channels/dbthread.py). Every
statement is checked here: run from a thread with a running asyncio loop, it is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from channels import sending, turns
from tests.channels.conftest import FakeRasa, Recorder, run
from tests.channels.factories import sms_form, tg_callback, tg_text
from tests.channels.helpers import STATUS_URL, outbox_rows, post_sms, post_tg


@pytest.fixture
def on_loop(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def check(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", check)
    yield statements
    event.remove(engine, "before_cursor_execute", check)


def test_webhooks_and_workers_do_their_sql_off_the_loop(
    client: TestClient,
    session: Session,
    rasa: FakeRasa,
    deliver: Any,
    recorders: dict[str, Recorder],
    on_loop: list[str],
) -> None:
    assert post_tg(client, tg_text(801, "سلام")).status_code == 200
    assert post_tg(client, tg_callback(801, "/greet")).status_code == 200
    assert post_sms(client, sms_form("+989121238001", "سلام")).status_code == 200
    assert post_sms(client, sms_form("+989121238002", "STOP")).status_code == 200
    run(turns.process_pending(session, rasa))
    assert deliver() == 3  # the oldest reply of each of the three people
    sid = next(r.provider_id for r in outbox_rows(session) if r.channel == "sms" and r.provider_id)
    status = {"MessageSid": sid, "MessageStatus": "delivered"}
    response = post_sms(client, status, url=STATUS_URL, path="/webhooks/twilio/status")
    assert response.status_code == 204

    # The assistant slow (an acknowledgement while waiting), then down (kept, acknowledged).
    rasa.delay = 0.8
    post_tg(client, tg_text(802, "سلام"))
    run(turns.process_pending(session, rasa))
    rasa.delay, rasa.down = 0.0, True
    post_tg(client, tg_text(803, "سلام"))
    run(turns.process_pending(session, rasa))
    run(sending.deliver_due(session, {"telegram": recorders["telegram"]}))

    assert len(rasa.calls) >= 4 and recorders["telegram"].sent and recorders["sms"].sent
    assert on_loop == []
