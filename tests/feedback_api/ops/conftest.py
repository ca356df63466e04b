"""Stubs of a Rasa server and an action server, and the settings that point at them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from feedback_api.settings import Settings, get_settings
from tests.stubs.base import Reply, Stub


@dataclass
class RasaStub:
    stub: Stub
    url: str
    model_loaded: bool = True


def closed_port() -> int:
    """A port nothing listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rasa() -> RasaStub:
    """Rasa's /status: 401 without its token, 409 while no model is loaded (as Rasa 3.6)."""
    token = get_settings().secret("rasa_api_token")

    def answer(method: str, path: str, params: dict[str, Any]) -> Reply:
        if path != "/status":
            return 404, {}
        if params.get("token") != token:
            return 401, {"reason": "NotAuthenticated"}
        if not rasa.model_loaded:
            return 409, {"reason": "Conflict", "message": "No agent loaded."}
        return 200, {"model_id": "abc", "model_file": "model.tar.gz"}

    stub = Stub(answer)
    rasa = RasaStub(stub, stub.start())
    return rasa


@pytest.fixture
def ops_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings()
    monkeypatch.setattr(settings, "action_server_host", "127.0.0.1")
    return settings


@pytest.fixture
def rasa_server(ops_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[RasaStub]:
    rasa = _rasa()
    monkeypatch.setattr(ops_settings, "rasa_url", rasa.url)
    yield rasa
    rasa.stub.stop()


@pytest.fixture
def action_server(ops_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    """rasa-sdk's /health, answering only the shared secret (as actions/server.py)."""
    expected = f"Bearer {ops_settings.secret('action_server_token')}"

    def answer(method: str, path: str, params: dict[str, Any]) -> Reply:
        if stub.calls()[-1]["auth"] != expected:  # recorded just before the handler runs
            return 401, {"error": "unauthorized"}
        return (200, {"status": "ok"}) if path == "/health" else (404, {})

    stub = Stub(answer)
    url = stub.start()
    monkeypatch.setattr(ops_settings, "action_server_port", int(url.rsplit(":", 1)[1]))
    yield stub
    stub.stop()
