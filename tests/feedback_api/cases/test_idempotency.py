"""Two deliveries of the same case at the same moment make one case, on a real database."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from feedback_api.contacts.service import pseudonym_for
from feedback_api.db import make_engine
from tests.feedback_api.helpers import app_on

ROUNDS = 8
PARALLEL = 4


@pytest.mark.parametrize("known_contact", [True, False], ids=["known-contact", "new-contact"])
def test_concurrent_creates_with_one_client_key_make_one_case(
    fresh_database: str, service_headers: dict[str, str], known_contact: bool
) -> None:
    engine = make_engine(fresh_database)
    app = app_on(engine)
    clients = [TestClient(app, raise_server_exceptions=False) for _ in range(PARALLEL)]
    try:
        for round_ in range(ROUNDS):
            contact = pseudonym_for("telegram", f"{round_}-{secrets.token_hex(4)}")
            body: dict[str, Any] = {
                "client_key": secrets.token_hex(12),
                "contact": contact,
                "type": "complaint",
                "category": "CMN",
                "channel": "telegram",
                "description": "the same complaint, delivered twice",
            }
            if known_contact:
                clients[0].put(
                    f"/api/v1/bot/contacts/{contact}/language",
                    json={"language": "fa"},
                    headers=service_headers,
                )
            barrier = threading.Barrier(PARALLEL)

            def deliver(
                client: TestClient,
                body: dict[str, Any] = body,
                barrier: threading.Barrier = barrier,
            ) -> Any:
                barrier.wait()
                return client.post("/api/v1/bot/cases", json=body, headers=service_headers)

            with ThreadPoolExecutor(PARALLEL) as pool:
                answers = list(pool.map(deliver, clients))
            codes = sorted(answer.status_code for answer in answers)
            assert codes == [200] * (PARALLEL - 1) + [201], [a.text for a in answers]
            assert len({answer.json()["reference"] for answer in answers}) == 1
            with engine.connect() as conn:
                count = conn.execute(
                    text("SELECT count(*) FROM cases WHERE client_key = :k"),
                    {"k": body["client_key"]},
                ).scalar()
                contacts = conn.execute(
                    text("SELECT count(*) FROM contacts WHERE pseudonym = :p"), {"p": contact}
                ).scalar()
            assert (count, contacts) == (1, 1)
    finally:
        for client in clients:
            client.close()
        engine.dispose()
