"""The gateway's REST channel (bot/credentials.yml): Rasa's own, with three differences.

1. Only the gateway talks to it: every request carries `Authorization: Bearer
   $RASA_API_TOKEN`, the token of Rasa's HTTP API.
2. The gateway's message id becomes the user event's `message_id`. Rasa's REST
   channel drops a `message_id` in the body and draws a random one, so the
   gateway could not find its turn in the tracker after a timeout.
3. A turn runs to its end even when the gateway stops waiting. Sanic cancels the
   request of a client that went away, which would stop the turn half-way: its
   actions may have filed a case while the tracker was never saved, and the
   retry would file it again. The same message id again, while its turn runs or
   within REMEMBER_SECONDS after, gets that turn's replies (no second turn).

The gateway (channels/rasa_client.py) asks the tracker for the message id before
it retries; together they make a turn happen once.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)
# How long this process answers a repeated message id from memory; after that the
# gateway's look-up in the tracker (which it does before any retry) is the record.
REMEMBER_SECONDS = 600.0


class GatewayInput(RestInput):
    """Keeps the name "rest": the URL stays /webhooks/rest/webhook."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        token = (credentials or {}).get("token")
        if not token:
            raise ValueError("the gateway channel needs its token (RASA_API_TOKEN)")
        return cls(str(token))

    def __init__(self, token: str) -> None:
        self.expected = f"Bearer {token}".encode()
        self.turns: dict[str, asyncio.Future] = {}  # running or finished, by message id
        self.finished_at: dict[str, float] = {}

    async def _turn(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        message: UserMessage,
        collector: CollectingOutputChannel,
    ) -> list[dict[str, Any]]:
        try:
            await on_new_message(message)
        except Exception:  # as Rasa's REST channel: answer what was said so far
            logger.exception("gateway turn failed")
        return collector.messages

    def _forget_old(self) -> None:
        horizon = time.monotonic() - REMEMBER_SECONDS
        for key in [k for k, at in self.finished_at.items() if at < horizon]:
            del self.finished_at[key]
            self.turns.pop(key, None)

    def _start(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        body: dict[str, Any],
    ) -> asyncio.Future:
        sender, message_id = body.get("sender"), body.get("message_id")
        key = f"{sender}\n{message_id}"
        if message_id:
            self._forget_old()
            if key in self.turns:
                return self.turns[key]
        collector = CollectingOutputChannel()
        message = UserMessage(
            body.get("message"),
            collector,
            sender,
            input_channel=self.name(),
            metadata=body.get("metadata"),
            message_id=str(message_id) if message_id else None,
        )
        task = asyncio.ensure_future(self._turn(on_new_message, message, collector))
        if message_id:
            self.turns[key] = task
            task.add_done_callback(lambda _done: self.finished_at.setdefault(key, time.monotonic()))
        return task

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(
            f"custom_webhook_{type(self).__name__}", inspect.getmodule(self).__name__
        )

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, self.expected):
                return response.json({"error": "unauthorized"}, status=401)
            body = request.json
            if not isinstance(body, dict):
                return response.json({"error": "a JSON object is expected"}, status=400)
            # Shielded: the gateway giving up must not cut the turn short.
            replies = await asyncio.shield(self._start(on_new_message, body))
            return response.json(replies)

        return webhook
