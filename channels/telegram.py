"""Telegram: parse updates (webhook or polling) and send through the Bot API.

python-telegram-bot talks to `{TELEGRAM_API_BASE_URL}/bot<token>/<method>`, so
tests point it at a local stub. Telegram gives no delivery receipts: a message
is never more than "sent".
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import telegram
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from channels.transports import Outgoing, RetryLater, Undeliverable, as_seconds, describe
from feedback_api.settings import get_settings

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class ParsedUpdate:
    """What the gateway keeps of one update (never names, usernames or phone numbers)."""

    external_id: str
    address: str
    kind: str  # text, command, callback, edited, media, system
    text: str | None = None
    payload: str | None = None
    media_type: str | None = None
    callback_query_id: str | None = None
    member_status: str | None = None
    start_payload: str | None = None


def make_bot() -> telegram.Bot | None:
    settings = get_settings()
    if settings.telegram_bot_token is None:
        return None
    base = settings.telegram_api_base_url.rstrip("/")
    return telegram.Bot(
        settings.secret("telegram_bot_token"),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=16, read_timeout=15, connect_timeout=10),
        get_updates_request=HTTPXRequest(read_timeout=40, connect_timeout=10),
    )


def parse_update(data: dict[str, Any]) -> ParsedUpdate | None:
    """The update as the gateway sees it, or None for updates it does not handle."""
    update = telegram.Update.de_json(data, None)
    update_id = str(update.update_id)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != "private":
            return None
        return ParsedUpdate(
            external_id=update_id,
            address=str(chat.id if chat is not None else query.from_user.id),
            kind="callback",
            payload=query.data or "",
            callback_query_id=query.id,
        )
    if update.my_chat_member is not None:
        member = update.my_chat_member
        if member.chat.type != "private":
            return None
        return ParsedUpdate(
            external_id=update_id,
            address=str(member.chat.id),
            kind="system",
            member_status=member.new_chat_member.status,
        )
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    edited = update.edited_message is not None
    text = message.text or message.caption
    media = next((name for name in MEDIA_TYPES if getattr(message, name, None)), None)
    if text is None:
        return ParsedUpdate(
            external_id=update_id,
            address=str(message.chat.id),
            kind="media",
            media_type=media or "other",
        )
    if not edited and text.startswith("/start"):
        argument = text[len("/start") :].strip() or None
        return ParsedUpdate(
            external_id=update_id,
            address=str(message.chat.id),
            kind="command",
            text="/start",
            start_payload=argument,
            media_type=media,
        )
    return ParsedUpdate(
        external_id=update_id,
        address=str(message.chat.id),
        kind="edited" if edited else "text",
        text=text,
        media_type=media,
    )


def inline_keyboard(buttons: list[dict[str, str]]) -> telegram.InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [telegram.InlineKeyboardButton(b.get("title", ""), callback_data=b["data"])]
        for b in buttons
    ]
    return telegram.InlineKeyboardMarkup(rows)


class TelegramTransport:
    name = "telegram"

    def __init__(self, bot: telegram.Bot) -> None:
        self.bot = bot

    async def send(self, message: Outgoing) -> str | None:
        from channels.render import split_telegram

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

    async def answer_callback(self, callback_query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)


async def set_webhook() -> bool:
    """Register {PUBLIC_BASE_URL}/webhooks/telegram with the secret token."""
    settings = get_settings()
    bot = make_bot()
    if bot is None or settings.telegram_webhook_secret is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET must be set")
    url = settings.public_base_url.rstrip("/") + "/webhooks/telegram"
    async with bot:
        return await bot.set_webhook(
            url=url,
            secret_token=settings.secret("telegram_webhook_secret"),
            allowed_updates=["message", "edited_message", "callback_query", "my_chat_member"],
            drop_pending_updates=False,
        )


async def poll_forever(bot: telegram.Bot, stop: asyncio.Event | None = None) -> None:
    """Local use without a public URL: long-poll getUpdates and store each update."""
    from channels.service import receive_telegram_update

    await bot.delete_webhook(drop_pending_updates=False)
    offset: int | None = None
    while stop is None or not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset,
                timeout=30,
                allowed_updates=["message", "edited_message", "callback_query", "my_chat_member"],
            )
        except NetworkError as exc:
            log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
            await asyncio.sleep(3)
            continue
        for update in updates:
            data = update.to_dict()
            await asyncio.to_thread(receive_telegram_update, data)
            offset = update.update_id + 1
