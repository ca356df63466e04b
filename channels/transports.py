"""What the outbox needs from a provider: send one message, or say why not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
    name: str

    async def send(self, message: Outgoing) -> str | None:
        """Send; return the provider's message id. Raise RetryLater or Undeliverable."""
        ...


class WebTransport:
    """The simulator: nothing leaves the service, the page polls the outbox."""

    name = "web"

    async def send(self, message: Outgoing) -> str | None:
        return f"web-{message.outbox_id}"


class NullTransport:
    """A channel without credentials: messages wait in the outbox until it is configured."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def send(self, message: Outgoing) -> str | None:
        raise RetryLater(f"{self.name} is not configured", retry_after=60.0)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def as_seconds(value: Any) -> float:
    """retry_after is an int or a timedelta depending on the library's settings."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)
