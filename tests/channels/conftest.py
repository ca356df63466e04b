"""Fixtures of the channel tests: configured secrets, a fake assistant, stub providers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from channels import sending
from channels.providers.base import Outgoing, Transport
from channels.rasa_client import RasaUnavailable
from channels.worker import WebTransport
from feedback_api.settings import Settings, get_settings
from tests.stubs import android_sms as android_stub
from tests.stubs import telegram as telegram_stub
from tests.stubs import twilio as twilio_stub
from tests.stubs.base import Stub

T = TypeVar("T")

TG_SECRET = "tg-secret-token-123"
TWILIO_TOKEN = "twilio-auth-token-456"
TWILIO_SID = "AC" + "1" * 32
FROM_NUMBER = "+15005550006"
ANDROID_KEY = "android-signing-key-789"


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
    monkeypatch.setattr(settings, "android_sms_signing_key", SecretStr(ANDROID_KEY))
    monkeypatch.setattr(settings, "public_base_url", "https://feedback.example.org")
    monkeypatch.setattr(settings, "sms_provider", "twilio")
    monkeypatch.setattr(settings, "rasa_ack_after_seconds", 0.5)
    return settings


class FakeRasa:
    """Records what the assistant would see; answers with `replies` unless `down`.

    `handled` is its tracker: the replies given to each message id. With `answer_lost`
    it handles a turn and then times out on the gateway's side (the reply never arrives).
    """

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.erased: list[str] = []
        self.down = False
        self.answer_lost = False
        self.replies: list[dict[str, Any]] = [{"text": "سلام"}]
        self.delay = 0.0
        self.on_call: Callable[[str, str], None] | None = None
        self.handled: dict[str, list[dict[str, Any]]] = {}
        self.lookups: list[str] = []

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]:
        self.calls.append(
            {
                "sender": sender,
                "message": message,
                "metadata": dict(metadata),
                "message_id": message_id,
            }
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise RasaUnavailable("ConnectError")
        if self.on_call is not None:
            self.on_call(sender, message)
        self.handled[message_id] = [dict(r) for r in self.replies]
        if self.answer_lost:
            raise RasaUnavailable("ReadTimeout")
        return [dict(r) for r in self.replies]

    async def erase(self, sender: str) -> None:
        if self.down:
            raise RasaUnavailable("ConnectError")
        self.erased.append(sender)

    async def replies_to(self, sender: str, message_id: str) -> list[dict[str, Any]] | None:
        self.lookups.append(message_id)
        if self.down:
            raise RasaUnavailable("ConnectError")
        return self.handled.get(message_id)


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
    """What each route sent; "sms" is Twilio's (the SMS route these tests configure)."""
    return {
        "telegram": Recorder("telegram"),
        "sms": Recorder("twilio"),
        "android_sms": Recorder("android_sms"),
    }


@pytest.fixture
def transports(recorders: dict[str, Recorder]) -> dict[str, Transport]:
    return {
        "telegram": recorders["telegram"],
        "twilio": recorders["sms"],
        "android_sms": recorders["android_sms"],
        "web": WebTransport(),
    }


@pytest.fixture
def deliver(session: Session, transports: dict[str, Transport]) -> Callable[..., int]:
    def _deliver(**kwargs: Any) -> int:
        return run(sending.deliver_due(session, transports, **kwargs))

    return _deliver


@pytest.fixture
def tg_stub() -> Iterator[tuple[Stub, str]]:
    stub = telegram_stub.make_stub()
    url = stub.start()
    yield stub, url
    stub.stop()


@pytest.fixture
def android_gateway(channel_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stub]:
    """A stub of the phone's (or server's) API, and the settings that point at it."""
    stub = android_stub.make_stub()
    monkeypatch.setattr(channel_settings, "android_sms_api_url", stub.start())
    monkeypatch.setattr(channel_settings, "android_sms_username", "sms")
    monkeypatch.setattr(channel_settings, "android_sms_password", SecretStr("phone-password"))
    yield stub
    stub.stop()


@pytest.fixture
def twilio_stub_server() -> Iterator[tuple[Stub, str]]:
    stub = twilio_stub.make_stub()
    url = stub.start()
    yield stub, url
    stub.stop()
