"""Fixtures of the channel tests: configured secrets, a fake assistant, stub providers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from channels import outbox
from channels.rasa_client import RasaUnavailable
from channels.transports import Outgoing, Transport, WebTransport
from feedback_api.settings import Settings, get_settings
from tests.stubs import telegram as telegram_stub
from tests.stubs import twilio as twilio_stub
from tests.stubs.base import Stub

T = TypeVar("T")

TG_SECRET = "tg-secret-token-123"
TWILIO_TOKEN = "twilio-auth-token-456"
TWILIO_SID = "AC" + "1" * 32
FROM_NUMBER = "+15005550006"


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def channel_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings()
    monkeypatch.setattr(settings, "telegram_webhook_secret", SecretStr(TG_SECRET))
    monkeypatch.setattr(settings, "telegram_bot_token", SecretStr("123:ABC"))
    monkeypatch.setattr(settings, "twilio_auth_token", SecretStr(TWILIO_TOKEN))
    monkeypatch.setattr(settings, "twilio_account_sid", TWILIO_SID)
    monkeypatch.setattr(settings, "twilio_from_number", FROM_NUMBER)
    monkeypatch.setattr(settings, "public_base_url", "https://feedback.example.org")
    monkeypatch.setattr(settings, "rasa_ack_after_seconds", 0.5)
    monkeypatch.setattr(settings, "channels_default_language", "fa")
    return settings


class FakeRasa:
    """Records what the assistant would see; answers with `replies` unless `down`."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.down = False
        self.replies: list[dict[str, Any]] = [{"text": "سلام"}]
        self.delay = 0.0
        self.on_call: Callable[[str, str], None] | None = None

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        self.calls.append({"sender": sender, "message": message, "metadata": dict(metadata)})
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise RasaUnavailable("ConnectError")
        if self.on_call is not None:
            self.on_call(sender, message)
        return [dict(r) for r in self.replies]


class Recorder:
    """A transport that only records."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent: list[Outgoing] = []

    async def send(self, message: Outgoing) -> str | None:
        self.sent.append(message)
        return f"{self.name}-{message.outbox_id}"


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def recorders() -> dict[str, Recorder]:
    return {"telegram": Recorder("telegram"), "sms": Recorder("sms")}


@pytest.fixture
def transports(recorders: dict[str, Recorder]) -> dict[str, Transport]:
    return {"telegram": recorders["telegram"], "sms": recorders["sms"], "web": WebTransport()}


@pytest.fixture
def deliver(session: Session, transports: dict[str, Transport]) -> Callable[..., int]:
    def _deliver(**kwargs: Any) -> int:
        return run(outbox.deliver_due(session, transports, **kwargs))

    return _deliver


@pytest.fixture
def tg_stub() -> Iterator[tuple[Stub, str]]:
    stub = telegram_stub.make_stub()
    url = stub.start()
    yield stub, url
    stub.stop()


@pytest.fixture
def twilio_stub_server() -> Iterator[tuple[Stub, str]]:
    stub = twilio_stub.make_stub()
    url = stub.start()
    yield stub, url
    stub.stop()
