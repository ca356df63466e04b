"""Fixtures for the action tests: the real API, settings, trackers."""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rasa_sdk", reason="bot runtime tests: run them with .venv-bot")

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.bot_actions.apiserver import ROOT, ApiServer

BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
SPOOL_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()  # a Fernet key


def pseudonym() -> str:
    """A contact pseudonym like the channel layer's (26 lowercase base32 chars)."""
    return "".join(secrets.choice(BASE32) for _ in range(26))


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    server = ApiServer(tmp_path_factory.mktemp("api"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A function pointing the actions' settings at an API; the spool thread
    stays off (tests drive it by hand)."""
    from actions import runtime, settings

    def point_at(api: ApiServer) -> Any:
        for name, value in {
            "FEEDBACK_API_URL": api.url,
            "SERVICE_TOKEN": api.token,
            "ACTIONS_SPOOL_PATH": str(tmp_path / "spool.sqlite3"),
            "ACTIONS_SPOOL_KEY": SPOOL_KEY,
            "KNOWLEDGE_DIR": str(ROOT / "bot" / "data" / "knowledge"),
            "ACTIONS_SPOOL_WORKER": "false",
            "SPOOL_RETRY_BASE_SECONDS": "0.1",
        }.items():
            monkeypatch.setenv(name, value)
        settings.get_settings.cache_clear()
        runtime.services.cache_clear()
        return runtime.services()

    yield point_at
    settings.get_settings.cache_clear()
    runtime.services.cache_clear()


@pytest.fixture
def services(api: ApiServer, configure: Any) -> Any:
    return configure(api)


def make_tracker(
    sender: str | None = None,
    *,
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "",
    confidence: float = 1.0,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
    turn: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker at the person's latest message: `events` before it, `turn` after it
    (what earlier actions of this turn did)."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "metadata": {},
    }
    user_event = {
        "event": "user",
        "timestamp": 1_700_000_000.0,
        "text": text,
        "parse_data": message,
    }
    return Tracker(
        sender_id=sender or pseudonym(),
        slots={"language": "fa", "channel": "telegram", **(slots or {})},
        latest_message=message,
        events=[*(events or []), user_event, *(turn or [])],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action: Any, tracker: Tracker, domain: dict[str, Any] | None = None) -> tuple[list, list]:
    """(events, messages) of one action run."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return events, dispatcher.messages


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def _catalogue() -> list[tuple[str, str, re.Pattern[str]]]:
    """(key, language, pattern) of every text in messages.yml, on any channel, the most
    literal first (a bare "{a} {b}: {c}" matches much); {name} matches any value."""
    from actions.knowledge import KnowledgeBase

    knowledge = KnowledgeBase(ROOT / "bot" / "data" / "knowledge")
    found = []
    for key in sorted(knowledge.message_keys()):
        for language in ("fa", "prs"):
            for channel in ("telegram", "sms"):
                text = knowledge.message(key, language, channel).text
                pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(text))
                found.append((key, language, re.compile(pattern)))
    return sorted(
        found, key=lambda entry: -len(re.sub(r"\(\?P<\w+>\.\+\?\)", "", entry[2].pattern))
    )


def identify(message: dict[str, Any]) -> tuple[str | None, str | None, dict[str, str]]:
    """(messages.yml key, language, placeholder values) of a message an action sent;
    a domain response gives its name, no language and no values."""
    if message.get("response"):
        return message["response"], None, {}
    for key, language, pattern in _catalogue():
        match = pattern.fullmatch(message.get("text") or "")
        if match:
            return key, language, match.groupdict()
    return None, None, {}


def said(messages: list[dict[str, Any]]) -> list[str | None]:
    """What the actions said: messages.yml keys, or domain response names."""
    return [identify(message)[0] for message in messages]


def filled(message: dict[str, Any]) -> dict[str, str]:
    """The values put into a message's {placeholders} (a reference, a position)."""
    return identify(message)[2]
