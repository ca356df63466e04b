"""SMS through Twilio: signed webhooks in, messages out with the twilio library.

Twilio cannot do two-way SMS in Iran (../shared/docs/sms-in-iran.md): keep it for
other countries, tests and outbound notices where allowed. The twilio `Client` gets
an HTTP client that rewrites `https://api.twilio.com` to TWILIO_API_BASE_URL, so the
real library makes the requests (to a stub in tests). The blocking client runs in a
worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
from fastapi import Response
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

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
from channels.render import SMS_MAX_BODY, sms_menu
from channels.sms import SMS_KEYWORDS
from feedback_api.contacts.phones import e164
from feedback_api.settings import Settings
from persian_text import sms

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
INBOUND_PATH = "/webhooks/twilio/sms"
STATUS_PATH = "/webhooks/twilio/status"
# Twilio's error for "the recipient replied STOP".
OPTED_OUT_ERROR = "21610"
STATUSES = {
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


class BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends the library's requests to another base URL (a stub, a regional proxy)."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(base_url.rstrip("/"))
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        parts = urlsplit(url)
        url = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, url, *args, **kwargs)


def _form(request: WebhookRequest) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))


class TwilioProvider:
    name = "twilio"
    medium = "sms"
    paths = (INBOUND_PATH, STATUS_PATH)
    keywords = SMS_KEYWORDS

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # A long code sends about one segment a second.
        self.limits = Limits(
            per_second=settings.sms_rate_per_second,
            burst=max(1.0, settings.sms_rate_per_second),
            max_segments=sms.MAX_SEGMENTS,
        )
        self.client: Client | None = None
        if self.configured():
            self.client = Client(
                settings.twilio_account_sid,
                settings.secret("twilio_auth_token"),
                http_client=BaseUrlHttpClient(settings.twilio_api_base_url),
            )

    @staticmethod
    def is_configured(settings: Settings) -> bool:
        s = settings
        return bool(s.twilio_account_sid and s.twilio_auth_token and s.twilio_from_number)

    def configured(self) -> bool:
        return self.is_configured(self.settings)

    def _url(self, path: str) -> str:
        return self.settings.public_base_url.rstrip("/") + path

    def verify(self, request: WebhookRequest) -> bool:
        signature = request.headers.get("x-twilio-signature")
        if not signature or self.settings.twilio_auth_token is None:
            return False
        validator = RequestValidator(self.settings.secret("twilio_auth_token"))
        return bool(validator.validate(self._url(request.path), _form(request), signature))

    def parse(self, request: WebhookRequest) -> Sequence[Event] | None:
        form = _form(request)
        if request.path == STATUS_PATH:
            sid = form.get("MessageSid") or form.get("SmsSid")
            status = STATUSES.get(
                (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
            )
            if not sid or status is None:
                return []
            code = form.get("ErrorCode")
            return [
                StatusUpdate(
                    provider_id=sid,
                    status=status,
                    error=f"twilio {status} {code or ''}".strip() if status == "failed" else None,
                    opted_out=code == OPTED_OUT_ERROR,
                )
            ]
        sid = form.get("MessageSid") or form.get("SmsSid")
        number = e164(form.get("From") or "")
        if not sid or number is None:
            return None
        body = form.get("Body")
        text = body if body and body.strip() else None
        return [
            Received(
                external_id=sid,
                address=number,
                kind="text" if text else "media",
                text=text,
                media_type=None if text else "mms",
            )
        ]

    def answer(self, request: WebhookRequest) -> Response:
        if request.path == STATUS_PATH:
            return Response(status_code=204)
        return Response(EMPTY_TWIML, media_type="application/xml")

    def render(self, message: Outgoing) -> str:
        return sms_menu(message.text, message.buttons, message.language)[:SMS_MAX_BODY]

    async def stored(self, events: Sequence[Event]) -> None:
        return None

    def _send_sync(self, message: Outgoing) -> str | None:
        assert self.client is not None
        try:
            sent = self.client.messages.create(
                to=message.address,
                from_=self.settings.twilio_from_number,
                body=self.render(message),
                status_callback=self._url(STATUS_PATH),
            )
        except TwilioRestException as exc:
            if str(exc.code) == OPTED_OUT_ERROR:
                raise Undeliverable("21610 recipient opted out", opted_out=True) from exc
            if exc.status == 429 or exc.status >= 500:
                raise RetryLater(f"twilio HTTP {exc.status}") from exc
            raise Undeliverable(f"twilio HTTP {exc.status} code {exc.code}") from exc
        except (requests.RequestException, TwilioException) as exc:
            raise RetryLater(describe(exc)) from exc
        return str(sent.sid) if sent.sid else None

    async def send(self, message: Outgoing) -> str | None:
        if self.client is None:
            raise RetryLater("twilio is not configured", retry_after=60.0)
        return await asyncio.to_thread(self._send_sync, message)
