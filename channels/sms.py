"""SMS through Twilio: signature checks, keywords, and sending with the twilio library.

The twilio `Client` gets an HTTP client that rewrites `https://api.twilio.com`
to TWILIO_API_BASE_URL, so the real library makes the requests (to a stub in
tests). The blocking client runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.render import SMS_MAX_BODY, sms_menu
from channels.transports import Outgoing, RetryLater, Undeliverable, describe
from feedback_api.settings import get_settings
from persian_text import normalize, to_ascii_digits

log = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's error for "the recipient replied STOP".
OPTED_OUT_ERROR = 21610

STOP_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "لغو", "توقف", "استاپ"}
)
START_WORDS = frozenset({"start", "unstop", "شروع"})
HELP_WORDS = frozenset({"help", "info", "راهنما", "کمک"})


def keyword(text: str | None) -> str | None:
    """ "stop", "start" or "help" when the whole message is such a keyword."""
    if not text:
        return None
    word = normalize(text).strip().strip(".!?؟،,")
    word = word.replace("\u200c", "").lower()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def normalise_number(number: str) -> str:
    """E.164 with ASCII digits (Twilio sends E.164 already; be strict anyway)."""
    digits = to_ascii_digits(number).strip().replace(" ", "").replace("-", "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits


@dataclass(frozen=True)
class ParsedSms:
    external_id: str
    address: str
    text: str | None
    media_count: int


def parse_form(form: Mapping[str, str]) -> ParsedSms | None:
    sid = form.get("MessageSid") or form.get("SmsSid")
    sender = form.get("From")
    if not sid or not sender:
        return None
    try:
        media = int(form.get("NumMedia", "0") or 0)
    except ValueError:
        media = 0
    body = form.get("Body")
    return ParsedSms(
        external_id=sid,
        address=normalise_number(sender),
        text=body if body and body.strip() else None,
        media_count=media,
    )


def webhook_url(path: str) -> str:
    return get_settings().public_base_url.rstrip("/") + path


def signature_valid(path: str, params: Mapping[str, str], signature: str | None) -> bool:
    settings = get_settings()
    if not signature or settings.twilio_auth_token is None:
        return False
    validator = RequestValidator(settings.secret("twilio_auth_token"))
    return bool(validator.validate(webhook_url(path), dict(params), signature))


class BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends the library's requests to another base URL (a stub, a regional proxy)."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        super().__init__(timeout=timeout)
        parts = urlsplit(base_url.rstrip("/"))
        self._scheme, self._netloc, self._prefix = parts.scheme, parts.netloc, parts.path

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        url = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, url, *args, **kwargs)


def make_client() -> Client | None:
    settings = get_settings()
    if not (
        settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from_number
    ):
        return None
    http_client = BaseUrlHttpClient(settings.twilio_api_base_url)
    return Client(
        settings.twilio_account_sid,
        settings.secret("twilio_auth_token"),
        http_client=http_client,
    )


def render_sms(message: Outgoing) -> str:
    return sms_menu(message.text, message.buttons, message.language)


class TwilioTransport:
    name = "sms"

    def __init__(self, client: Client, from_number: str, status_callback: str | None) -> None:
        self.client = client
        self.from_number = from_number
        self.status_callback = status_callback

    def _send_sync(self, message: Outgoing) -> str | None:
        body = render_sms(message)[:SMS_MAX_BODY]
        kwargs: dict[str, Any] = {"to": message.address, "from_": self.from_number, "body": body}
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            sent = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            if exc.code == OPTED_OUT_ERROR:
                raise Undeliverable("21610 recipient opted out", opted_out=True) from exc
            if exc.status == 429 or exc.status >= 500:
                raise RetryLater(f"twilio HTTP {exc.status}") from exc
            raise Undeliverable(f"twilio HTTP {exc.status} code {exc.code}") from exc
        except (requests.RequestException, TwilioException) as exc:
            raise RetryLater(describe(exc)) from exc
        return str(sent.sid) if sent.sid else None

    async def send(self, message: Outgoing) -> str | None:
        return await asyncio.to_thread(self._send_sync, message)


def make_transport() -> TwilioTransport | None:
    client = make_client()
    settings = get_settings()
    if client is None or settings.twilio_from_number is None:
        return None
    return TwilioTransport(
        client, settings.twilio_from_number, webhook_url("/webhooks/twilio/status")
    )
