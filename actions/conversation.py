"""Reading the tracker: language, channel, idempotency keys."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from rasa_sdk import Tracker

LANGUAGES = ("fa", "prs")
CHANNELS = ("telegram", "sms", "phone", "web")


def language_of(tracker: Tracker) -> str:
    """The person's language; Farsi until they choose (the default variation)."""
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else "fa"


def channel_of(tracker: Tracker) -> str:
    channel = tracker.get_slot("channel")
    return channel if channel in CHANNELS else "web"


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _last_event(tracker: Tracker, **match: Any) -> dict[str, Any] | None:
    for event in reversed(tracker.events):
        if all(event.get(key) == value for key, value in match.items()):
            return event
    return None


def client_key(tracker: Tracker, purpose: str, **anchor: Any) -> str:
    """An idempotency key stable across retries of one submission.

    It hashes the sender and the timestamp of the event that started the
    submission (the user message, or the form's activation), so a repeated
    run of the same action yields the same key and the API one case.
    """
    event = _last_event(tracker, **anchor)
    # Without an anchor a fresh key is safer than merging two people's cases.
    stamp = event.get("timestamp") if event else uuid.uuid4().hex
    seed = f"{tracker.sender_id}|{purpose}|{stamp}"
    return f"bot-{purpose}-" + hashlib.sha256(seed.encode()).hexdigest()[:40]
