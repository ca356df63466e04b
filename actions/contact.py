"""Talking to a person, and deleting the person's data."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import ApiError, ApiUnavailable
from actions.conversation import language_of, latest_intent
from actions.knowledge import KnowledgeBase
from actions.messages import say
from actions.runtime import services

logger = logging.getLogger(__name__)

OFFICE_TZ = ZoneInfo("Asia/Tehran")


def format_opening(iso: str | None, language: str, knowledge: KnowledgeBase) -> str:
    """'شنبه ۰۸:۰۰'-style text for the API's next_opening, in office time."""
    if not iso:
        return knowledge.label("next_working_day", language)
    when = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    when = when.astimezone(OFFICE_TZ)
    day = knowledge.label(f"weekday_{when.weekday()}", language)
    return f"{day} {when:%H:%M}"


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        svc = services()
        reason = latest_intent(tracker) or "request_human"
        try:
            answer = await asyncio.to_thread(
                svc.api.handoff, tracker.sender_id, reason, tracker.get_slot("last_reference")
            )
        except (ApiUnavailable, ApiError) as exc:
            logger.warning("handoff failed: %s", exc)
            say(dispatcher, tracker, "handoff_unavailable")
            return []
        if answer.get("open_now"):
            say(
                dispatcher,
                tracker,
                "handoff_open",
                position=answer.get("position") or 1,
                wait=answer.get("expected_wait_minutes") or 5,
            )
        else:
            opening = format_opening(
                answer.get("next_opening"), language_of(tracker), svc.knowledge
            )
            say(dispatcher, tracker, "handoff_closed", next_opening=opening)
        return []


class ActionDeleteData(Action):
    """Runs only after the person confirmed (see the rules)."""

    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            await asyncio.to_thread(services().api.delete_contact, tracker.sender_id)
        except (ApiUnavailable, ApiError) as exc:
            logger.warning("deletion failed: %s", exc)
            say(dispatcher, tracker, "deletion_failed")
            return []
        say(dispatcher, tracker, "data_deleted")
        # Forget what the conversation held too, but keep answering in the
        # language the person is using.
        return [
            AllSlotsReset(),
            SlotSet("language", tracker.get_slot("language")),
            SlotSet("channel", tracker.get_slot("channel")),
        ]
