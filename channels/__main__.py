"""`python -m channels set-webhook` | `poll` | `delete-webhook`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from channels import telegram


async def _poll() -> None:
    bot = telegram.make_bot()
    if bot is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN must be set")
    async with bot:
        await telegram.poll_forever(bot)


async def _delete_webhook() -> None:
    bot = telegram.make_bot()
    if bot is None:
        raise SystemExit("TELEGRAM_BOT_TOKEN must be set")
    async with bot:
        await bot.delete_webhook()


def main(argv: list[str] | None = None) -> None:
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
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "set-webhook":
        ok = asyncio.run(telegram.set_webhook())
        print("webhook registered" if ok else "webhook NOT registered")
    elif args.command == "delete-webhook":
        asyncio.run(_delete_webhook())
        print("webhook removed")
    else:
        from feedback_api import migrate

        migrate.upgrade()
        asyncio.run(_poll())


if __name__ == "__main__":
    main()
