"""Session start and the choice of language."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import ApiError, ApiUnavailable
from actions.conversation import CHANNELS, is_language, language_of
from actions.menu import menu_reply
from actions.messages import Reply, say
from actions.runtime import services
from persian_text import languages

logger = logging.getLogger(__name__)


class ActionSessionStart(Action):
    """Copy the channel layer's metadata into slots; prepare a first answer's notice.

    The gateway sends `{"channel", "language", "language_guess"}` with every
    message: `language` is the person's stored choice, `language_guess` what
    their words suggest while they have not chosen. The conversation uses the
    choice, else the guess, else the language of this conversation so far,
    else the default language. Without a choice, the first answer of the session carries the
    privacy notice and a one-tap switch to the language the registry offers
    (persian_text/languages.yml, `offer`; actions/messages.py):
    nothing is said here, so the person's first message gets its answer.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        chosen = metadata.get("language")
        candidates = (chosen, metadata.get("language_guess"), tracker.get_slot("language"))
        registry = languages.registry()
        language = next((c for c in candidates if is_language(c)), registry.default)
        events: list[EventType] = [SessionStarted(), SlotSet("language", language)]
        if not is_language(chosen):
            events += [
                SlotSet("notice_due", True),
                SlotSet("language_offer", registry.offer(language)),
            ]
        channel = metadata.get("channel")
        if channel in CHANNELS:
            events.append(SlotSet("channel", channel))
        events.append(ActionExecuted("action_listen"))
        return events


async def record_language(contact: str, language: str) -> None:
    """Store the choice with the contact: the gateway sends it with every message from now."""
    try:
        await asyncio.to_thread(services().api.set_language, contact, language)
    except (ApiUnavailable, ApiError) as exc:
        # The slot still holds it for this conversation; the gateway asks
        # again next time, which is better than blocking the person now.
        logger.warning("language not recorded: %s", exc)


async def choose_language(
    dispatcher: CollectingDispatcher, tracker: Tracker, language: str
) -> list[EventType]:
    """Switch to `language`: record it, confirm in it, and show the menu (not inside a form,
    whose question comes next in the new language)."""
    await record_language(tracker.sender_id, language)
    chosen = tracker.copy()
    chosen.slots["language"] = language
    if tracker.active_loop_name:
        reply = Reply(chosen).say("language_set")
    else:
        reply = menu_reply(chosen, lead="language_set")
    return [SlotSet("language", language), *reply.send(dispatcher)]


class ActionSetLanguage(Action):
    """Record the chosen language with the contact, or offer the choice."""

    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = next(tracker.get_latest_entity_values("language"), None)
        if not is_language(language):
            return say(dispatcher, tracker, "choose_language")
        return await choose_language(dispatcher, tracker, language)


def offered_language(offer: list[dict[str, str]]) -> str | None:
    """The language of an offer that was only the language switch (a yes/no question)."""
    if len(offer) != 1 or not offer[0].get("payload", "").startswith("/set_language"):
        return None
    language = json.loads(offer[0]["payload"][len("/set_language") :]).get("language")
    return language if is_language(language) else None


async def keep_language(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A no to the switch: the current language is the person's choice."""
    await record_language(tracker.sender_id, language_of(tracker))
    return say(dispatcher, tracker, "language_kept")
