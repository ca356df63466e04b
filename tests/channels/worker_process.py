"""One service process's channel workers, alone, for the tests of many processes.

    python -m tests.channels.worker_process RASA_URL PROVIDER_URL

The settings come from the environment (the test's database, keys and short leases);
Rasa is the stub at RASA_URL and every message "sent" is posted to PROVIDER_URL/send.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import httpx

from channels.providers.base import Outgoing
from channels.rasa_client import HttpRasaClient
from channels.worker import Workers
from feedback_api.db import get_sessionmaker


class PostingTransport:
    name = "telegram"

    def __init__(self, url: str) -> None:
        self.url = url

    async def send(self, message: Outgoing) -> str | None:
        async with httpx.AsyncClient(timeout=5) as client:
            await client.post(
                f"{self.url}/send", json={"chat": message.address, "text": message.text}
            )
        return f"sent-{message.outbox_id}"


async def main(rasa_url: str, provider_url: str) -> None:
    workers = Workers(
        {"telegram": PostingTransport(provider_url)},
        HttpRasaClient(rasa_url),
        get_sessionmaker(),
        idle_seconds=0.2,
    )
    async with workers.running():
        print("workers running", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
