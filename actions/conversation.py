"""Reading the tracker: language, channel, idempotency keys."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from rasa_sdk import Tracker

from persian_text import languages

CHANNELS = ("telegram", "sms", "phone", "web")


def is_language(code: object) -> bool:
    """Whether people can use the language `code` (persian_text/languages.yml)."""
    return code in languages.registry().codes("people")


def language_of(tracker: Tracker) -> str:
    """The person's language: chosen, else guessed at session start; the default if unknown."""
    return languages.registry().pick(tracker.get_slot("language")).code


def channel_of(tracker: Tracker) -> str:
    channel = tracker.get_slot("channel")
    return channel if channel in CHANNELS else "web"


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


# A yes or no that acts (consent to be contacted, deleting data) is given, never guessed:
# a typed answer counts only when the assistant is this sure of it («نمیدانم والله، چی فرق
# میکنه», "I don't know, what difference does it make", was read as yes at 0.44).
CLEAR_ANSWER_CONFIDENCE = 0.7


def clear_answer(tracker: Tracker) -> bool:
    """The latest message is a tap, or a typed answer the assistant is sure of."""
    confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
    return bool(confidence >= CLEAR_ANSWER_CONFIDENCE)


def turn_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The events since the person's latest message (what this turn did so far)."""
    events = tracker.events
    starts = [i for i, event in enumerate(events) if event.get("event") == "user"]
    return events[starts[-1] + 1 :] if starts else []


def last_offer(tracker: Tracker) -> list[dict[str, str]]:
    """The buttons the assistant showed in the turn before the person's latest message.

    A turn shows at most one menu, so these are what a typed "yes" or "no" answers.
    An offer of an earlier session is over.
    """
    events = tracker.events
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return []
    for event in reversed(events[: users[-1]]):
        if event.get("event") in ("user", "session_started"):
            return []
        buttons = (event.get("data") or {}).get("buttons") if event.get("event") == "bot" else None
        if buttons:
            return list(buttons)
    return []


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
