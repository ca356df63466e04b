"""Session start and the choice of language."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import ApiError, ApiUnavailable
from actions.conversation import CHANNELS, LANGUAGES
from actions.messages import say
from actions.runtime import services

logger = logging.getLogger(__name__)


class ActionSessionStart(Action):
    """Copy the channel layer's metadata into slots; greet first contacts.

    The gateway sends `{"channel": ..., "language": "fa"|"prs"|null}` with
    every message; the stored language means the person already chose, so they
    are not asked again. A person with no language yet is a first contact: they
    get the privacy notice and the language buttons before their message is
    answered.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        language = metadata.get("language")
        if language not in LANGUAGES:
            # Within one conversation the choice made earlier still holds.
            language = tracker.get_slot("language")
        channel = metadata.get("channel")
        events: list[EventType] = [SessionStarted()]
        if language in LANGUAGES:
            events.append(SlotSet("language", language))
        else:
            # One message (notice and language buttons): SMS segments cost money.
            say(dispatcher, tracker, "first_contact")
        if channel in CHANNELS:
            events.append(SlotSet("channel", channel))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionSetLanguage(Action):
    """Record the chosen language with the contact, or offer the choice."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = next(tracker.get_latest_entity_values("language"), None)
        if language not in LANGUAGES:
            say(dispatcher, tracker, "choose_language")
            return []
        try:
            await asyncio.to_thread(services().api.set_language, tracker.sender_id, language)
        except (ApiUnavailable, ApiError) as exc:
            # The slot still holds it for this conversation; the gateway asks
            # again next time, which is better than blocking the person now.
            logger.warning("language not recorded: %s", exc)
        say(dispatcher, tracker, "language_set", language=language)
        # The slot was filled from the entity before this action ran, so the
        # menu (a domain response) already comes in the chosen language.
        dispatcher.utter_message(response="utter_help_menu")
        return [SlotSet("language", language)]
