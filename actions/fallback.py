"""Rasa's default fallback, with its text from bot/data/knowledge/messages.yml."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say


class ActionDefaultFallback(Action):
    """What Rasa's built-in action does (say the fallback text, then revert the
    user's message so it does not steer later predictions), in both languages."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # The notice and language offer it may carry are done: their slot
        # events come after the rewind, which would otherwise undo them.
        return [UserUtteranceReverted(), *say(dispatcher, tracker, "default")]
