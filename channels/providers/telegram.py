"""Telegram: webhook (or polling) updates in, messages out through the Bot API.

python-telegram-bot talks to `{TELEGRAM_API_BASE_URL}/bot<token>/<method>`, so tests
point it at a local stub. The webhook is verified by the secret token Telegram sends
in a header. Telegram gives no delivery receipts: a message is never more than "sent".
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import telegram
from fastapi import Response
from fastapi.responses import JSONResponse
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from channels.providers.base import (
    Event,
    Keywords,
    Limits,
    Outgoing,
    Received,
    RetryLater,
    Undeliverable,
    WebhookRequest,
    as_seconds,
    describe,
)
from channels.render import split_telegram
from feedback_api.crypto import constant_time_equals
from feedback_api.settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MEDIA_TYPES = (
    "voice",
    "audio",
    "video",
    "video_note",
    "photo",
    "sticker",
    "animation",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "dice",
)


def parse_update(data: dict[str, Any]) -> Received | None:
    """The update as the gateway sees it (never names, usernames or phone numbers), or
    None for updates it does not handle (groups, channels, other kinds).

    Only someone who has not blocked the bot can write to it: every message opts in;
    blocking it (my_chat_member "kicked") opts out."""
    update = telegram.Update.de_json(data, None)
    update_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != "private":
            return None
        return Received(
            external_id=update_id,
            address=str(chat.id if chat is not None else query.from_user.id),
            kind="callback",
            payload=query.data or "",
            callback_query_id=query.id,
            opt="in",
        )
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return None
        status = member.new_chat_member.status
        return Received(
            external_id=update_id,
            address=str(member.chat.id),
            kind="system",
            opt="out"
            if status == "kicked"
            else "in"
            if status in ("member", "restricted")
            else None,
        )
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    edited = update.edited_message is not None
    text = message.text or message.caption
    media = next((name for name in MEDIA_TYPES if getattr(message, name, None)), None)
    if text is None:
        return Received(
            external_id=update_id,
            address=str(message.chat.id),
            kind="media",
            media_type=media or "other",
            opt="in",
        )
    if not edited and text.startswith("/start"):
        # t.me/<bot>?start=prs: a link for Dari speakers opens the chat in Dari.
        return Received(
            external_id=update_id,
            address=str(message.chat.id),
            kind="command",
            text="/start",
            language=text[len("/start") :].strip() or None,
            media_type=media,
            opt="in",
        )
    return Received(
        external_id=update_id,
        address=str(message.chat.id),
        kind="edited" if edited else "text",
        text=text,
        media_type=media,
        opt="in",
    )


def inline_keyboard(buttons: list[dict[str, str]]) -> telegram.InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [telegram.InlineKeyboardButton(b.get("title", ""), callback_data=b["data"])]
        for b in buttons
    ]
    return telegram.InlineKeyboardMarkup(rows)


class TelegramProvider:
    name = "telegram"
    medium = "telegram"
    paths = ("/webhooks/telegram",)
    # Blocking and unblocking the bot are Telegram's opt-out and opt-in (my_chat_member).
    keywords = Keywords()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # About 30 messages a second overall and 1 a second per chat (Telegram's limits).
        self.limits = Limits(
            per_second=settings.telegram_rate_per_second,
            burst=settings.telegram_rate_per_second,
            per_chat_per_second=settings.telegram_chat_rate_per_second,
        )
        self.bot = self._make_bot()

    def _make_bot(self) -> telegram.Bot | None:
        if self.settings.telegram_bot_token is None:
            return None
        base = self.settings.telegram_api_base_url.rstrip("/")
        return telegram.Bot(
            self.settings.secret("telegram_bot_token"),
            base_url=f"{base}/bot",
            base_file_url=f"{base}/file/bot",
            request=HTTPXRequest(connection_pool_size=16, read_timeout=15, connect_timeout=10),
            get_updates_request=HTTPXRequest(read_timeout=40, connect_timeout=10),
        )

    @staticmethod
    def is_configured(settings: Settings) -> bool:
        return bool(settings.telegram_bot_token and settings.telegram_webhook_secret)

    def configured(self) -> bool:
        return self.is_configured(self.settings)

    def verify(self, request: WebhookRequest) -> bool:
        secret = self.settings.telegram_webhook_secret
        given = request.headers.get("x-telegram-bot-api-secret-token")
        return (
            secret is not None
            and given is not None
            and constant_time_equals(given, secret.get_secret_value())
        )

    def parse(self, request: WebhookRequest) -> Sequence[Event] | None:
        try:
            data = json.loads(request.body)
        except ValueError:
            return None
        if not isinstance(data, dict) or "update_id" not in data:
            return None
        return self.parse_update(data)

    def parse_update(self, data: dict[str, Any]) -> Sequence[Event]:
        received = parse_update(data)
        if received is None:
            log.info("telegram update ignored (not a private chat or not handled)")
            return []
        return [received]

    def answer(self, request: WebhookRequest) -> Response:
        return JSONResponse({"ok": True})

    def render(self, message: Outgoing) -> str:
        return message.text

    async def stored(self, events: Sequence[Event]) -> None:
        """Stop a pressed button's spinner (best effort)."""
        for event in events:
            if isinstance(event, Received) and event.callback_query_id and self.bot:
                try:
                    await self.bot.answer_callback_query(event.callback_query_id)
                except TelegramError as exc:
                    log.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def send(self, message: Outgoing) -> str | None:
        if self.bot is None:
            raise RetryLater("telegram is not configured", retry_after=60.0)
        chunks = split_telegram(message.text or " ")
        last_id: str | None = None
        try:
            for index, chunk in enumerate(chunks):
                markup = inline_keyboard(message.buttons) if index == len(chunks) - 1 else None
                sent = await self.bot.send_message(
                    chat_id=int(message.address), text=chunk, reply_markup=markup
                )
                last_id = str(sent.message_id)
        except RetryAfter as exc:
            raise RetryLater("telegram 429", retry_after=as_seconds(exc.retry_after)) from exc
        except Forbidden as exc:
            # "bot was blocked by the user", "user is deactivated"
            raise Undeliverable(describe(exc), opted_out=True) from exc
        except BadRequest as exc:
            raise Undeliverable(describe(exc)) from exc
        except (NetworkError, TelegramError) as exc:
            raise RetryLater(describe(exc)) from exc
        return last_id

    async def set_webhook(self) -> bool:
        """Register {PUBLIC_BASE_URL}/webhooks/telegram with the secret token."""
        if self.bot is None or self.settings.telegram_webhook_secret is None:
            raise SystemExit("TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET must be set")
        url = self.settings.public_base_url.rstrip("/") + self.paths[0]
        async with self.bot:
            return await self.bot.set_webhook(
                url=url,
                secret_token=self.settings.secret("telegram_webhook_secret"),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )

    async def poll_forever(
        self,
        receive: Callable[[dict[str, Any]], Awaitable[None]],
        stop: asyncio.Event | None = None,
    ) -> None:
        """Local use without a public URL: long-poll getUpdates and store each update."""
        if self.bot is None:
            raise SystemExit("TELEGRAM_BOT_TOKEN must be set")
        async with self.bot:
            await self.bot.delete_webhook(drop_pending_updates=False)
            offset: int | None = None
            while stop is None or not stop.is_set():
                try:
                    updates = await self.bot.get_updates(
                        offset=offset, timeout=30, allowed_updates=ALLOWED_UPDATES
                    )
                except NetworkError as exc:
                    log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                    await asyncio.sleep(3)
                    continue
                for update in updates:
                    await receive(update.to_dict())
                    offset = update.update_id + 1
