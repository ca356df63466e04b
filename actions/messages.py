"""Sending the texts of bot/data/knowledge/messages.yml.

Responses that rules and stories predict are in the domain; what only the
custom actions say lives in the knowledge directory, so `rasa data validate`
has no unused responses and editors can change the wording without retraining.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from actions.runtime import services


def say(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    key: str,
    *,
    language: str | None = None,
    **values: Any,
) -> None:
    """Send message `key` in the person's language (Farsi until they choose)."""
    message = services().knowledge.message(key, language or language_of(tracker), **values)
    dispatcher.utter_message(text=message.text, buttons=[dict(b) for b in message.buttons])
