"""`python -m channels set-webhook | delete-webhook | poll | register-android-webhooks`."""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from channels import gateway
from channels.providers.android_sms import AndroidSmsProvider
from channels.providers.telegram import TelegramProvider
from feedback_api.settings import get_settings


async def _poll(telegram: TelegramProvider) -> None:
    async def receive(update: dict[str, Any]) -> None:
        events = telegram.parse_update(update)
        await asyncio.to_thread(gateway.receive_in_own_session, telegram, events)

    await telegram.poll_forever(receive)


async def _delete_webhook(telegram: TelegramProvider) -> None:
    if telegram.bot is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN must be set")
    async with telegram.bot:
        await telegram.bot.delete_webhook()


async def _register_android(android: AndroidSmsProvider) -> list[str]:
    if not android.configured():
        raise SystemExit(
            "ANDROID_SMS_API_URL, ANDROID_SMS_PASSWORD and ANDROID_SMS_SIGNING_KEY must be set"
        )
    return await android.register_webhooks()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "set-webhook", help="register PUBLIC_BASE_URL/webhooks/telegram with the secret token"
    )
    commands.add_parser("delete-webhook", help="remove the Telegram webhook")
    commands.add_parser(
        "poll",
        help="local use without a public URL: store updates from getUpdates "
        "(the running service's workers answer them)",
    )
    commands.add_parser(
        "register-android-webhooks",
        help="register PUBLIC_BASE_URL/webhooks/android-sms for sms:received, sms:sent, "
        "sms:delivered and sms:failed with the SMS gateway (device or server)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    if args.command == "set-webhook":
        ok = asyncio.run(TelegramProvider(settings).set_webhook())
        print("webhook registered" if ok else "webhook NOT registered")
    elif args.command == "delete-webhook":
        asyncio.run(_delete_webhook(TelegramProvider(settings)))
        print("webhook removed")
    elif args.command == "register-android-webhooks":
        events = asyncio.run(_register_android(AndroidSmsProvider(settings)))
        print("registered: " + ", ".join(events))
    else:
        from feedback_api import migrate

        migrate.upgrade()
        asyncio.run(_poll(TelegramProvider(settings)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
