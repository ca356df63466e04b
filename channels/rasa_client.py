"""The Rasa server's REST channel, private to the gateway.

Rasa only ever sees the contact's pseudonym and the metadata channel and
language, never an address.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from feedback_api.settings import get_settings


class RasaUnavailable(Exception):
    """Rasa did not answer (down, refused, timed out, 5xx)."""


class RasaClient(Protocol):
    async def send(
        self, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]: ...


class HttpRasaClient:
    def __init__(self, base_url: str | None = None, timeout: float | None = None) -> None:
        settings = get_settings()
        self.url = (base_url or settings.rasa_url).rstrip("/") + "/webhooks/rest/webhook"
        self.timeout = timeout if timeout is not None else settings.rasa_timeout_seconds

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        body = {"sender": sender, "message": message, "metadata": metadata}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if response.status_code >= 500:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            # A request Rasa refuses will be refused again: answer nothing rather than loop.
            return []
        data = response.json()
        return [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []
