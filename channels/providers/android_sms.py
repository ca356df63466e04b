"""SMS through a local SIM: the open-source SMS Gateway for Android.

An Android phone with an Iranian SIM sends and receives the SMS; the service talks to
it (local mode: the phone's own server; private or cloud mode: a relay) with the
`android-sms-gateway` client, and it calls back one webhook for the events
sms:received, sms:sent, sms:delivered and sms:failed (../shared/docs/sms-in-iran.md).

- Signed: `X-Signature` is the hex HMAC-SHA256, under ANDROID_SMS_SIGNING_KEY, of the
  raw body followed by the `X-Timestamp` value; compared in constant time, and a
  timestamp more than 5 minutes off is refused (a replay).
- Deduplicated on the event's `id`: the app retries for about two days until it gets
  a 2xx, and `messageId` is derived from the content (two people sending "سلام" share it).
- Numbers arrive as the phone shows them (09121234567): normalised to E.164 before
  anything else, or one person would become two contacts.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
from android_sms_gateway import AsyncAPIClient, Message, TextMessage, Webhook, WebhookEvent
from android_sms_gateway.ahttp import HttpxAsyncHttpClient
from android_sms_gateway.errors import APIError
from fastapi import Response
from fastapi.responses import JSONResponse

from channels.providers.base import (
    Event,
    Limits,
    Outgoing,
    Received,
    RetryLater,
    StatusUpdate,
    Undeliverable,
    WebhookRequest,
    describe,
)
from channels.render import sms_menu
from channels.sms import SMS_KEYWORDS
from feedback_api.contacts.phones import e164
from feedback_api.settings import Settings
from persian_text import sms

log = logging.getLogger(__name__)

PATH = "/webhooks/android-sms"
MAX_CLOCK_SKEW_SECONDS = 300
STATUS_EVENTS = {"sms:sent": "sent", "sms:delivered": "delivered", "sms:failed": "failed"}
WEBHOOK_EVENTS = (
    WebhookEvent.SMS_RECEIVED,
    WebhookEvent.SMS_SENT,
    WebhookEvent.SMS_DELIVERED,
    WebhookEvent.SMS_FAILED,
)


def signature(key: str, body: bytes, timestamp: str) -> str:
    """The gateway's signature of a webhook request."""
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


class AndroidSmsProvider:
    name = "android_sms"
    medium = "sms"
    paths = (PATH,)
    keywords = SMS_KEYWORDS

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # A consumer SIM that sends in bulk gets blocked by its operator: low by default.
        self.limits = Limits(
            per_second=settings.android_sms_rate_per_second,
            burst=1.0,
            max_segments=sms.MAX_SEGMENTS,
        )
        # One client per event loop: its connection pool belongs to the loop that made it.
        self._clients: dict[asyncio.AbstractEventLoop, AsyncAPIClient] = {}

    @staticmethod
    def is_configured(settings: Settings) -> bool:
        s = settings
        return bool(s.android_sms_api_url and s.android_sms_password and s.android_sms_signing_key)

    def configured(self) -> bool:
        return self.is_configured(self.settings)

    def verify(self, request: WebhookRequest, now: float | None = None) -> bool:
        key = self.settings.android_sms_signing_key
        given = request.headers.get("x-signature")
        stamp = request.headers.get("x-timestamp")
        if key is None or not given or not stamp:
            return False
        try:
            skew = abs((now if now is not None else time.time()) - int(stamp))
        except ValueError:
            return False
        expected = signature(key.get_secret_value(), request.body, stamp)
        # Both checks always run: the answer takes as long whichever one fails.
        signed = hmac.compare_digest(expected, given.strip().lower())
        return signed and skew <= MAX_CLOCK_SKEW_SECONDS

    def parse(self, request: WebhookRequest) -> Sequence[Event] | None:
        try:
            envelope = json.loads(request.body)
        except ValueError:
            return None
        if not isinstance(envelope, dict):
            return None
        event, event_id, payload = (
            envelope.get("event"),
            envelope.get("id"),
            envelope.get("payload"),
        )
        if not isinstance(event_id, str) or not event_id or not isinstance(payload, dict):
            return None
        if event == "sms:received":
            return self._received(event_id, payload)
        if event in STATUS_EVENTS:
            message_id = payload.get("messageId")
            if not isinstance(message_id, str):
                return None
            failed = event == "sms:failed"
            reason = str(payload.get("reason") or "")[:150]
            return [
                StatusUpdate(
                    provider_id=message_id,
                    status=STATUS_EVENTS[event],
                    error=f"android sms failed: {reason}".strip() if failed else None,
                )
            ]
        # system:ping and the rest: acknowledged, nothing to store.
        return []

    def _received(self, event_id: str, payload: dict[str, Any]) -> Sequence[Event] | None:
        number = e164(str(payload.get("phoneNumber") or ""))
        if number is None:
            return None
        text = payload.get("message")
        text = text if isinstance(text, str) and text.strip() else None
        return [
            Received(
                external_id=event_id,
                address=number,
                kind="text" if text else "media",
                text=text,
                media_type=None if text else "empty",
            )
        ]

    def answer(self, request: WebhookRequest) -> Response:
        return JSONResponse({"ok": True})

    def render(self, message: Outgoing) -> str:
        return sms_menu(message.text, message.buttons, message.language)

    async def stored(self, events: Sequence[Event]) -> None:
        return None

    def client(self) -> AsyncAPIClient:
        """The client (and its HTTP connection pool) of the running event loop."""
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            s = self.settings
            assert s.android_sms_api_url and s.android_sms_password
            self._clients = {
                loop: AsyncAPIClient(
                    s.android_sms_username,
                    s.android_sms_password.get_secret_value(),
                    base_url=s.android_sms_api_url,
                    http_client=HttpxAsyncHttpClient(httpx.AsyncClient(timeout=15.0)),
                )
            }
        return self._clients[loop]

    async def send(self, message: Outgoing) -> str | None:
        if not self.configured():
            raise RetryLater("the Android SMS gateway is not configured", retry_after=60.0)
        text = TextMessage(text=self.render(message))
        try:
            state = await self.client().send(
                Message(phone_numbers=[message.address], text_message=text)
            )
        except APIError as exc:
            status = exc.status_code or 0
            if status == 429 or status >= 500:
                raise RetryLater(f"android sms HTTP {status}") from exc
            raise Undeliverable(f"android sms HTTP {status}") from exc
        except httpx.HTTPError as exc:
            # The phone is off, out of Wi-Fi or its server down: try again later.
            raise RetryLater(describe(exc)) from exc
        return state.id

    async def register_webhooks(self) -> list[str]:
        """Point the device's (or server's) four webhooks at PUBLIC_BASE_URL/webhooks/android-sms,
        replacing earlier registrations of this URL. Returns the events registered."""
        url = self.settings.public_base_url.rstrip("/") + PATH
        client = self.client()
        for existing in await client.get_webhooks():
            if existing.url == url and existing.id:
                await client.delete_webhook(existing.id)
        for event in WEBHOOK_EVENTS:
            await client.create_webhook(Webhook(id=None, url=url, event=event))
        return [event.value for event in WEBHOOK_EVENTS]
