"""/ready says whether the assistant can answer; /health only that the process runs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from feedback_api.settings import Settings
from tests.feedback_api.ops.conftest import RasaStub, closed_port
from tests.stubs.base import Stub


def test_ready_when_database_rasa_with_its_model_and_action_server_answer(
    client: TestClient, rasa_server: RasaStub, action_server: Stub
) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "components": {"database": "ready", "rasa-1": "ready", "action_server": "ready"},
    }
    assert action_server.calls("/health")


def test_not_ready_while_rasa_loads_its_model(
    client: TestClient, rasa_server: RasaStub, action_server: Stub
) -> None:
    rasa_server.model_loaded = False
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json()["components"]["rasa-1"] == "loading"
    assert client.get("/health").status_code == 200  # alive all the same


def test_not_ready_when_rasa_and_the_action_server_are_down(
    client: TestClient, ops_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops_settings, "rasa_url", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setattr(ops_settings, "action_server_port", closed_port())
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not_ready",
        "components": {"database": "ready", "rasa-1": "down", "action_server": "down"},
    }


def test_the_answer_names_parts_never_addresses_or_secrets(
    client: TestClient, ops_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    monkeypatch.setattr(ops_settings, "rasa_url", f"http://127.0.0.1:{port}")
    body = client.get("/ready").text
    assert str(port) not in body
    assert "127.0.0.1" not in body
    assert ops_settings.secret("rasa_api_token") not in body


def test_tokens_that_differ_show_as_refused(
    client: TestClient,
    rasa_server: RasaStub,
    action_server: Stub,
    ops_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ops_settings, "rasa_api_token", SecretStr("not-rasas-token"))
    monkeypatch.setattr(ops_settings, "action_server_token", SecretStr("not-its-secret"))
    components = client.get("/ready").json()["components"]
    assert components["rasa-1"] == "refused"
    assert components["action_server"] == "refused"


def test_each_rasa_replica_is_asked(
    client: TestClient,
    rasa_server: RasaStub,
    action_server: Stub,
    ops_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setattr(ops_settings, "rasa_urls", [rasa_server.url, down])
    assert ops_settings.rasa_servers == [rasa_server.url, down]
    response = client.get("/ready")
    assert response.status_code == 503
    components = response.json()["components"]
    assert (components["rasa-1"], components["rasa-2"]) == ("ready", "down")


def test_one_rasa_server_without_rasa_urls(ops_settings: Settings) -> None:
    assert ops_settings.rasa_servers == [ops_settings.rasa_url.rstrip("/")]
