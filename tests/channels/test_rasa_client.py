"""Rebuilding the REST channel's answer to a turn from the tracker's events; Rasa replicas."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from channels.rasa_client import HttpRasaClient, Servers, replies_from_events
from tests.stubs.rasa import RasaStub


def _user(message_id: str, text: str) -> dict[str, object]:
    return {"event": "user", "text": text, "message_id": message_id, "metadata": {}}


def _bot(text: str | None, **data: object) -> dict[str, object]:
    base = {"elements": None, "quick_replies": None, "buttons": None, "attachment": None}
    return {"event": "bot", "text": text, "data": base | {"image": None, "custom": None} | data}


EVENTS = [
    {"event": "action", "name": "action_session_start"},
    _user("gw-1", "سلام"),
    {"event": "action", "name": "utter_greet"},
    _bot("سلام!\n\nچه کمکی از دستم برمی‌آید؟"),
    _bot("زبان:", buttons=[{"title": "دری", "payload": '/choose{"language": "prs"}'}]),
    _bot(None, custom={"text": "متن"}),
    {"event": "action", "name": "action_listen"},
    _user("gw-2", "دری"),
    _bot("خوش آمدید"),
]


def test_the_replies_of_a_handled_turn_as_the_rest_channel_gave_them() -> None:
    assert replies_from_events(EVENTS, "gw-1") == [
        {"text": "سلام!"},
        {"text": "چه کمکی از دستم برمی‌آید؟"},
        {"text": "زبان:", "buttons": [{"title": "دری", "payload": '/choose{"language": "prs"}'}]},
        {"custom": {"text": "متن"}},
    ]
    assert replies_from_events(EVENTS, "gw-2") == [{"text": "خوش آمدید"}]


def test_a_message_rasa_never_handled() -> None:
    assert replies_from_events(EVENTS, "gw-3") is None
    assert replies_from_events(EVENTS[:1], "gw-1") is None


def test_a_contact_keeps_its_rasa_server_and_contacts_spread_over_them() -> None:
    servers = Servers(["http://a", "http://b/"])
    senders = [f"contact{n}" for n in range(20)]
    firsts = {sender: servers.order(sender)[0] for sender in senders}
    assert all(servers.order(sender)[0] == firsts[sender] for sender in senders)
    assert set(firsts.values()) == {"http://a", "http://b"}


def test_a_failing_server_is_skipped_for_a_while_then_tried_again() -> None:
    now = [100.0]
    servers = Servers(["http://a", "http://b"], clock=lambda: now[0])
    sender = next(s for s in (f"c{n}" for n in range(50)) if servers.order(s)[0] == "http://a")
    servers.failed("http://a")
    assert servers.order(sender) == ["http://b", "http://a"]
    now[0] += Servers.BACKOFF_SECONDS + 1
    assert servers.order(sender) == ["http://a", "http://b"]


def test_a_turn_goes_to_the_replica_that_answers_when_one_is_down() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}"  # nothing listens here
    stub = RasaStub()
    up = stub.start()
    try:
        client = HttpRasaClient([down, up], timeout=5)
        senders = [f"contact{n}" for n in range(6)]

        async def turns() -> list[list[dict[str, Any]]]:
            return [await client.send(s, "سلام", {}, f"gw-{i}") for i, s in enumerate(senders)]

        answers = asyncio.run(turns())
    finally:
        stub.stop()
    assert all(a and a[0]["text"] == "re: سلام" for a in answers)
    assert [t["sender"] for t in stub.turns()] == senders  # each once, none lost
    assert client.servers.order("anyone")[-1] == down
