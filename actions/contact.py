"""Talking to a person, privacy, and deleting the person's data."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import ApiError, ApiUnavailable
from actions.conversation import clear_answer, language_of, latest_intent
from actions.knowledge import KnowledgeBase
from actions.messages import say, tell
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


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
) -> list[EventType]:
    """Ask the service for a person and tell what happens next."""
    svc = services()
    try:
        answer = await asyncio.to_thread(
            svc.api.handoff, tracker.sender_id, reason, tracker.get_slot("last_reference")
        )
    except (ApiUnavailable, ApiError) as exc:
        logger.warning("handoff failed: %s", exc)
        return say(dispatcher, tracker, "handoff_unavailable")
    if answer.get("open_now"):
        return say(
            dispatcher,
            tracker,
            "handoff_open",
            position=answer.get("position") or 1,
            wait=answer.get("expected_wait_minutes") or 5,
        )
    opening = format_opening(answer.get("next_opening"), language_of(tracker), svc.knowledge)
    return say(dispatcher, tracker, "handoff_closed", next_opening=opening)


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # After a report, the yes to the offer of a person is the report's.
        return await hand_over(dispatcher, tracker, latest_intent(tracker) or "request_human")


class ActionPrivacyDetails(Action):
    """What happens to the person's data; its button asks for the deletion."""

    def name(self) -> str:
        return "action_privacy_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return say(dispatcher, tracker, "privacy_details")


class ActionConfirmDeletion(Action):
    """Deleting cannot be undone: the person says yes first (see the rules)."""

    def name(self) -> str:
        return "action_confirm_deletion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return say(dispatcher, tracker, "confirm_deletion")


class ActionDeleteData(Action):
    """Runs only after the person confirmed (see the rules)."""

    def name(self) -> str:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not clear_answer(tracker):
            # Deleting cannot be undone: an unsure yes gets the question again.
            tell(dispatcher, tracker, "yes_or_no_unclear")
            return [FollowupAction("action_confirm_deletion")]
        svc = services()
        # A report still in the spool goes in first, so the deletion treats it like the
        # others (an open report of abuse is kept, anonymous) rather than it arriving later.
        await asyncio.to_thread(svc.deliverer.deliver_due, tracker.sender_id)
        try:
            answer = await asyncio.to_thread(svc.api.delete_contact, tracker.sender_id)
        except (ApiUnavailable, ApiError) as exc:
            logger.warning("deletion failed: %s", exc)
            return say(dispatcher, tracker, "deletion_failed")
        # Cases still waiting in the spool would bring the person's texts back.
        await asyncio.to_thread(svc.spool.drop_contact, tracker.sender_id)
        kept = (answer or {}).get("kept_reports", 0)
        say(dispatcher, tracker, "data_deleted_report_kept" if kept else "data_deleted")
        # Forget what the conversation held too, but keep answering in the
        # language the person is using.
        return [
            AllSlotsReset(),
            SlotSet("language", tracker.get_slot("language")),
            SlotSet("channel", tracker.get_slot("channel")),
        ]
