"""One door and once-means-once against the real Rasa and action server."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest
from sqlalchemy import text

from channels.rasa_client import HttpRasaClient, RasaUnavailable
from tests.e2e.conftest import System, wait_for

pytestmark = pytest.mark.e2e

BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
REPORT = "قاچاقچی برادرم رو گروگان گرفته"


def _pseudonym() -> str:
    return "".join(secrets.choice(BASE32) for _ in range(26))


def _client(system: System, timeout: float) -> HttpRasaClient:
    client = HttpRasaClient(f"http://127.0.0.1:{system.rasa_port}", timeout=timeout)
    client.token = system.env["RASA_API_TOKEN"]
    return client


def _cases_of(system: System, pseudonym: str) -> int:
    with system.db.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM cases JOIN contacts ON cases.contact_id = contacts.id "
                    "WHERE contacts.pseudonym = :p"
                ),
                {"p": pseudonym},
            ).scalar_one()
        )


def test_rasa_answers_the_gateway_only(system: System) -> None:
    rasa = f"http://127.0.0.1:{system.rasa_port}"
    tracker = f"{rasa}/conversations/{_pseudonym()}/tracker"
    assert httpx.get(tracker, timeout=10).status_code == 401
    assert httpx.get(tracker, params={"token": "wrong"}, timeout=10).status_code == 401
    assert httpx.get(tracker, params={"token": system.env["RASA_API_TOKEN"]}).status_code == 200
    body = {"sender": _pseudonym(), "message": "سلام"}
    assert httpx.post(f"{rasa}/webhooks/rest/webhook", json=body, timeout=10).status_code == 401


def test_the_action_server_answers_rasa_only(system: System) -> None:
    url = f"http://127.0.0.1:{system.action_port}"
    call = {"next_action": "action_session_start", "sender_id": _pseudonym(), "tracker": {}}
    assert httpx.post(f"{url}/webhook", json=call, timeout=10).status_code == 401
    assert httpx.get(f"{url}/actions", timeout=10).status_code == 401


def test_a_turn_the_gateway_gave_up_on_files_one_case_and_is_found_by_its_id(
    system: System,
) -> None:
    sender, message_id = _pseudonym(), f"gw-e2e-{secrets.token_hex(4)}"
    metadata = {"channel": "telegram", "language": "fa"}

    async def impatient_then_patient() -> list[dict[str, object]]:
        impatient = asyncio.ensure_future(
            _client(system, 0.05).send(sender, REPORT, metadata, message_id)
        )
        with pytest.raises(RasaUnavailable):
            await impatient
        # The same message again (the turn still running, or just finished): that turn's
        # replies, no second turn.
        return await _client(system, 60).send(sender, REPORT, metadata, message_id)

    joined = asyncio.run(impatient_then_patient())
    found = wait_for(
        lambda: asyncio.run(_client(system, 10).replies_to(sender, message_id)),
        timeout=60,
        what="the turn in the tracker",
    )
    # The same replies, as the REST channel gave them (less its recipient_id).
    assert found == [{k: v for k, v in m.items() if k != "recipient_id"} for m in joined]
    assert _cases_of(system, sender) == 1
    assert asyncio.run(_client(system, 10).replies_to(sender, "gw-never-sent")) is None
