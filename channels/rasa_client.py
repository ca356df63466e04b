"""The Rasa server, private to the gateway: its REST channel and its HTTP API.

Rasa only ever sees the contact's pseudonym and the metadata channel and
language, never an address. Every call carries RASA_API_TOKEN: the REST
channel (bot/gateway_channel.py) and the HTTP API (`--auth-token`) refuse
anything else.

Once means once: each turn carries the gateway's message id. When a turn is
retried (the first attempt timed out or failed), the gateway first asks the
tracker whether Rasa already handled that message id, and if so takes the
bot's replies from the tracker instead of sending the message again.

Several Rasa servers (RASA_URLS) share the turns (`Servers`).
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from feedback_api.settings import get_settings


class RasaUnavailable(Exception):
    """Rasa did not answer (down, refused, timed out, 5xx, refused our token)."""

    @property
    def kind(self) -> str:
        """A metric label: timeout, refused (our token), http_5xx or unavailable."""
        error = str(self)
        if "Timeout" in error:
            return "timeout"
        if error.endswith(("HTTP 401", "HTTP 403")):
            return "refused"
        if "HTTP 5" in error:
            return "http_5xx"
        return "unavailable"


def turn_id(inbound_id: int) -> str:
    """The message id of an inbound message's turn (UserUttered.message_id in Rasa)."""
    return f"gw-{inbound_id}"


class RasaClient(Protocol):
    async def send(
        self, sender: str, message: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]: ...

    async def erase(self, sender: str) -> None:
        """Replace the sender's conversation with nothing."""
        ...

    async def replies_to(self, sender: str, message_id: str) -> list[dict[str, Any]] | None:
        """The replies Rasa gave to that message, or None when it has not handled it."""
        ...


def replies_from_events(
    events: list[dict[str, Any]], message_id: str
) -> list[dict[str, Any]] | None:
    """The REST channel's answer to a turn, rebuilt from the tracker's events.

    None when no user event carries `message_id`; else the bot events after it, up to the
    next user message, as Rasa's CollectingOutputChannel would have answered them (a text
    without buttons is split at blank lines, custom and image come as messages of their own).
    """
    start = next(
        (
            i
            for i, event in enumerate(events)
            if event.get("event") == "user" and event.get("message_id") == message_id
        ),
        None,
    )
    if start is None:
        return None
    replies: list[dict[str, Any]] = []
    for event in events[start + 1 :]:
        if event.get("event") == "user":
            break
        if event.get("event") != "bot":
            continue
        data = event.get("data") or {}
        text = event.get("text")
        buttons = data.get("quick_replies") or data.get("buttons")
        if buttons:
            replies.append({"text": text, "buttons": buttons})
        elif text:
            replies += [{"text": part} for part in text.strip().split("\n\n")]
        replies += [{key: data[key]} for key in ("custom", "image", "attachment") if data.get(key)]
    return replies


class Servers:
    """The Rasa servers (RASA_URLS) and which are answering, as this process sees it.

    A contact's turns go to one server while it is healthy (a stable hash of the sender:
    its conversation stays warm there); with a shared lock store and tracker store any
    server can take any turn, so when that one fails the next healthy one does. A server
    that refused a connection or answered 5xx is skipped for BACKOFF_SECONDS (a timeout
    does not count: the retry of a slow turn must find that turn where it runs).
    """

    BACKOFF_SECONDS = 5.0

    def __init__(self, urls: list[str], clock: Callable[[], float] = time.monotonic) -> None:
        self.urls = [url.rstrip("/") for url in urls]
        self.clock = clock
        self.down_until: dict[str, float] = {}

    def order(self, sender: str) -> list[str]:
        """The servers to try for this sender: its own first, the unhealthy ones last."""
        start = zlib.crc32(sender.encode()) % len(self.urls)
        ring = self.urls[start:] + self.urls[:start]
        now = self.clock()
        return sorted(ring, key=lambda url: self.down_until.get(url, 0.0) > now)

    def failed(self, url: str) -> None:
        self.down_until[url] = self.clock() + self.BACKOFF_SECONDS

    def answered(self, url: str) -> None:
        self.down_until.pop(url, None)


class HttpRasaClient:
    def __init__(
        self, base_url: str | list[str] | None = None, timeout: float | None = None
    ) -> None:
        settings = get_settings()
        urls = [base_url] if isinstance(base_url, str) else base_url
        self.servers = Servers(urls or settings.rasa_servers)
        self.timeout = timeout if timeout is not None else settings.rasa_timeout_seconds
        self.token = settings.secret("rasa_api_token")
        # One pool of connections per event loop (a client belongs to the loop it ran on).
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            self._clients = {k: v for k, v in self._clients.items() if not k.is_closed()}
            client = self._clients[loop] = httpx.AsyncClient(timeout=self.timeout)
        return client

    async def _call(
        self, method: str, path: str, sender: str, *, repeatable: bool, **kwargs: Any
    ) -> httpx.Response:
        """The first server that answers. A turn (not `repeatable`) goes on to the next
        server only when the connection was refused: a timeout or a 5xx may have left the
        turn handled, and the retry asks the tracker first (channels.turns)."""
        error = "no Rasa server"
        for url in self.servers.order(sender):
            try:
                response = await self._client().request(
                    method, url + path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
                )
            except httpx.HTTPError as exc:
                error = type(exc).__name__
                if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    self.servers.failed(url)
                    continue
                if repeatable:
                    continue
                # A slow server, not a dead one: the retry goes back to it, where the
                # gateway channel answers a turn still running from memory.
                raise RasaUnavailable(error) from exc
            if response.status_code >= 500:
                self.servers.failed(url)
                error = f"HTTP {response.status_code}"
                if repeatable:
                    continue
                raise RasaUnavailable(error)
            if response.status_code in (401, 403):
                # Our token and Rasa's differ, a deployment fault: keep the messages.
                raise RasaUnavailable(f"HTTP {response.status_code}")
            self.servers.answered(url)
            return response
        raise RasaUnavailable(error)

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any], message_id: str
    ) -> list[dict[str, Any]]:
        body = {
            "sender": sender,
            "message": message,
            "metadata": metadata,
            "message_id": message_id,
        }
        response = await self._call(
            "POST", "/webhooks/rest/webhook", sender, repeatable=False, json=body
        )
        if response.status_code >= 400:
            # A request Rasa refuses will be refused again: answer nothing rather than loop.
            return []
        data = response.json()
        return [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []

    async def erase(self, sender: str) -> None:
        # The HTTP API takes its token as a query parameter (Rasa's --auth-token). Replacing
        # the events with none empties the conversation in any tracker store.
        response = await self._call(
            "PUT",
            f"/conversations/{sender}/tracker/events",
            sender,
            repeatable=True,
            json=[],
            params={"token": self.token},
        )
        if response.status_code >= 300:
            raise RasaUnavailable(f"erase HTTP {response.status_code}")

    async def replies_to(self, sender: str, message_id: str) -> list[dict[str, Any]] | None:
        # The HTTP API takes its token as a query parameter (Rasa's --auth-token).
        response = await self._call(
            "GET",
            f"/conversations/{sender}/tracker",
            sender,
            repeatable=True,
            params={"include_events": "ALL", "token": self.token},
        )
        if response.status_code >= 400:
            raise RasaUnavailable(f"tracker HTTP {response.status_code}")
        events = response.json().get("events") or []
        return replies_from_events([e for e in events if isinstance(e, dict)], message_id)
