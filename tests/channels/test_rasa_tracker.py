"""A deletion request also erases the conversation from Rasa, once the turn has ended:
through Rasa's HTTP API (any tracker store) and from its SQL tracker store."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from channels import rasa_tracker
from feedback_api.settings import get_settings
from tests.channels.conftest import FakeRasa, run
from tests.factories import make_contact

# The table Rasa 3.6's SQLTrackerStore creates.
EVENTS = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
    "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
    "action_name VARCHAR(255), data TEXT)"
)


def test_deleting_my_data_removes_my_conversation_from_rasa_only(
    client: TestClient,
    session: Session,
    service_headers: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setattr(get_settings(), "rasa_tracker_store_url", url)
    person, neighbour = make_contact(session), make_contact(session)
    tracker = create_engine(url)
    with tracker.begin() as conn:
        conn.execute(text(EVENTS))
        for sender in (person.pseudonym, neighbour.pseudonym):
            conn.execute(
                text("INSERT INTO events (sender_id, type_name, data) VALUES (:s, 'user', :d)"),
                {"s": sender, "d": '{"text": "my landlord threatened me"}'},
            )

    answer = client.delete(f"/api/v1/bot/contacts/{person.pseudonym}", headers=service_headers)
    assert answer.status_code == 200
    with tracker.connect() as conn:  # not during the turn: Rasa would write it back
        assert len(conn.execute(text("SELECT sender_id FROM events")).all()) == 2

    rasa = FakeRasa()
    assert run(rasa_tracker.erase_due(session, rasa, sender=person.pseudonym)) == 1

    assert rasa.erased == [person.pseudonym]
    with tracker.connect() as conn:
        left = conn.execute(text("SELECT sender_id FROM events")).scalars().all()
    assert left == [neighbour.pseudonym]
    assert run(rasa_tracker.erase_due(session, rasa, sender=person.pseudonym)) == 0


def test_an_erasure_waits_while_rasa_is_down(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    person = make_contact(session)
    client.delete(f"/api/v1/bot/contacts/{person.pseudonym}", headers=service_headers)
    rasa = FakeRasa()
    rasa.down = True
    assert run(rasa_tracker.erase_due(session, rasa)) == 0
    rasa.down = False
    assert run(rasa_tracker.erase_due(session, rasa)) == 1
    assert rasa.erased == [person.pseudonym]
