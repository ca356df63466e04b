"""Ready means ready: the database, every Rasa server with its model loaded, the action server.

`/health` only says the process answers; `/ready` says the assistant can answer a
person now. Each part is asked in parallel with a short timeout. The answer names
parts and states only (`rasa-1`, not an address) and never carries a secret.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum

import httpx
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from feedback_api.db import read_only
from feedback_api.settings import Settings

CHECK_TIMEOUT_SECONDS = 2.0


class State(StrEnum):
    ready = "ready"
    down = "down"  # no answer: not started, refused the connection, timed out
    loading = "loading"  # Rasa answers but has no model loaded yet (its 409)
    refused = "refused"  # 401/403: the tokens of the two sides differ (a deployment fault)
    failing = "failing"  # answered with an error


@dataclass
class Readiness:
    components: dict[str, State] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(state is State.ready for state in self.components.values())

    def body(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not_ready",
            "components": {name: state.value for name, state in self.components.items()},
        }


def action_server_url(settings: Settings) -> str:
    return f"http://{settings.action_server_host}:{settings.action_server_port}"


def _state_of(response: httpx.Response) -> State:
    if response.status_code == 200:
        return State.ready
    if response.status_code == 409:
        return State.loading
    if response.status_code in (401, 403):
        return State.refused
    return State.failing


async def _get(
    client: httpx.AsyncClient,
    url: str,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> State:
    try:
        response = await client.get(url, params=params, headers=headers)
    except httpx.HTTPError:
        return State.down
    return _state_of(response)


async def rasa_state(client: httpx.AsyncClient, base_url: str, token: str) -> State:
    """Rasa's `/status` answers 200 only once a model is loaded (409 before); it takes the
    HTTP API's token as a query parameter."""
    return await _get(client, f"{base_url}/status", params={"token": token})


async def action_server_state(client: httpx.AsyncClient, settings: Settings) -> State:
    # rasa-sdk's /health, behind the shared secret every call to it carries (actions/server.py).
    token = settings.secret("action_server_token")
    return await _get(
        client,
        f"{action_server_url(settings)}/health",
        headers={"Authorization": f"Bearer {token}"},
    )


def database_state(session: Session) -> State:
    try:
        read_only(session).execute(text("SELECT 1"))
    except SQLAlchemyError:
        return State.down
    return State.ready


async def readiness(session: Session, settings: Settings) -> Readiness:
    # The session is synchronous: its query runs off the event loop.
    result = Readiness({"database": await run_in_threadpool(database_state, session)})
    servers = settings.rasa_servers
    token = settings.secret("rasa_api_token")
    async with httpx.AsyncClient(timeout=CHECK_TIMEOUT_SECONDS) as client:
        states = await asyncio.gather(
            *(rasa_state(client, url, token) for url in servers),
            action_server_state(client, settings),
        )
    for number, state in enumerate(states[:-1], start=1):
        result.components[f"rasa-{number}"] = state
    result.components["action_server"] = states[-1]
    return result
