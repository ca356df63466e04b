"""The one interface every provider implements, and the shapes the pipeline speaks.

A provider is one way in and out for people: Telegram, an SMS route (Twilio, a
local SIM's Android gateway). It
- verifies a webhook request (nothing is stored for a bad one),
- parses it into the common shapes: `Received` (a message from a person) and
  `StatusUpdate` (what became of a message we sent),
- says what it answers to its own webhook,
- names its opt-out and opt-in keywords, its limits (rates, segments) and how a
  reply is rendered for its medium,
- sends (its transport), raising `RetryLater` or `Undeliverable`.

The generic pipeline (storing, routing, the outbox, the workers) knows providers
only through this interface: see docs/architecture.md, "Adding a channel".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Response

from feedback_api.settings import Settings

# How the person sees a message: the `channel` of contacts, cases and messages.
Medium = str  # "telegram" | "sms"


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook call as it arrived: the raw body is what signatures cover."""

    path: str
    url: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Received:
    """A message from a person, in the pipeline's shape (never a name or a username)."""

    external_id: str  # the provider's id of this delivery: the deduplication key
    address: str  # a Telegram chat id, or a phone number in E.164
    kind: str = "text"  # text, command (start), callback (a button), edited, media, system
    text: str | None = None
    payload: str | None = None  # a button's payload
    media_type: str | None = None
    # "out": the person stopped us (blocked the bot); "in": they are back (wrote to us
    # where only someone who has not blocked us can).
    opt: str | None = None
    language: str | None = None  # a language the channel told us (a Telegram deep link)
    callback_query_id: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """What became of a message we sent (a delivery report)."""

    provider_id: str
    status: str  # sent | delivered | failed
    error: str | None = None
    opted_out: bool = False  # the person told their operator to stop messages from us


Event = Received | StatusUpdate


@dataclass(frozen=True)
class Keywords:
    """Whole-message keywords handled before anything else (SMS): explicit STOP words opt
    out, START words opt back in. Matched on normalised, lower-case text."""

    stop: frozenset[str] = frozenset()
    start: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Limits:
    """Sending limits: a rate over the whole route, one per chat, and a size budget."""

    per_second: float
    burst: float
    per_chat_per_second: float | None = None
    per_chat_burst: float = 3.0
    # SMS: a message over this many segments is a content bug worth a warning.
    max_segments: int | None = None


@dataclass(frozen=True)
class Outgoing:
    outbox_id: int
    channel: str  # telegram | sms (how the person sees it)
    address: str
    text: str
    language: str | None
    # [{"title", "payload", "data"}]; "data" is the Telegram callback_data.
    buttons: list[dict[str, str]] = field(default_factory=list)


class RetryLater(Exception):
    """A transient failure: a timeout, a 5xx, a 429 (with retry_after seconds)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Undeliverable(Exception):
    """A permanent failure; opted_out when the person blocked us or replied STOP."""

    def __init__(self, reason: str, *, opted_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.opted_out = opted_out


class Transport(Protocol):
    """What the outbox needs to send: a name (the outbox rows' `transport`) and `send`."""

    @property
    def name(self) -> str: ...

    async def send(self, message: Outgoing) -> str | None:
        """Send; return the provider's message id. Raise RetryLater or Undeliverable."""
        ...


class Provider(Transport, Protocol):
    # name: "telegram", "twilio", "android_sms": the messages' `transport`.

    @property
    def medium(self) -> Medium: ...

    @property
    def paths(self) -> Sequence[str]:
        """The webhook paths this provider answers (POST), e.g. "/webhooks/telegram"."""
        ...

    @property
    def keywords(self) -> Keywords: ...

    @property
    def limits(self) -> Limits: ...

    @staticmethod
    def is_configured(settings: Settings) -> bool:
        """Has its credentials in `settings`: can verify webhooks and send."""
        ...

    def configured(self) -> bool: ...

    def verify(self, request: WebhookRequest) -> bool:
        """The request is the provider's own (a secret, a signature): else 403, nothing stored."""
        ...

    def parse(self, request: WebhookRequest) -> Sequence[Event] | None:
        """The events of a verified request; None when it is malformed (400)."""
        ...

    def answer(self, request: WebhookRequest) -> Response:
        """What the provider expects back once the events are stored."""
        ...

    def render(self, message: Outgoing) -> str:
        """The text as the person will see it on this medium (menus numbered, no links...)."""
        ...

    async def stored(self, events: Sequence[Event]) -> None:
        """After the events are stored: anything owed to the provider (Telegram's spinner)."""
        ...


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def as_seconds(value: Any) -> float:
    """retry_after is an int or a timedelta depending on the library's settings."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)
