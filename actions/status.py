"""Follow-up on a case by its reference."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import case_reference
from actions.api import ApiError, ApiUnavailable
from actions.conversation import language_of
from actions.messages import say
from actions.runtime import services

# After this many unreadable references the person is offered a colleague
# instead of being asked forever.
MAX_ATTEMPTS = 3


class ValidateCaseStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_case_status_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if (tracker.get_slot("reference_attempts") or 0) >= MAX_ATTEMPTS:
            return []
        return domain_slots

    async def validate_case_reference(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        try:
            return {"case_reference": case_reference.find(str(value or ""))}
        except case_reference.InvalidReference as problem:
            attempts = (tracker.get_slot("reference_attempts") or 0) + 1
            message = (
                "bad_check_digit" if problem.code == "bad_check_digit" else "bad_reference_format"
            )
            say(dispatcher, tracker, message)
            return {"case_reference": None, "reference_attempts": attempts}


class ActionAskCaseReference(Action):
    """The form's question (Rasa looks for action_ask_<slot> before utter_ask_<slot>)."""

    def name(self) -> str:
        return "action_ask_case_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, tracker, "ask_case_reference")
        return []


class ActionCheckCaseStatus(Action):
    def name(self) -> str:
        return "action_check_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset: list[EventType] = [
            SlotSet("case_reference", None),
            SlotSet("reference_attempts", None),
        ]
        reference = tracker.get_slot("case_reference")
        if not reference:
            say(dispatcher, tracker, "reference_give_up")
            return reset
        try:
            case = await asyncio.to_thread(services().api.case_status, reference, tracker.sender_id)
        except ApiUnavailable:
            say(dispatcher, tracker, "api_unavailable")
            return reset
        except ApiError as exc:
            # 404: unknown, or filed by someone else; both read "not found for you".
            if exc.status == 422:
                say(dispatcher, tracker, "bad_check_digit")
            else:
                say(dispatcher, tracker, "case_not_found")
            return reset
        label = case.get(f"status_label_{language_of(tracker)}") or case.get("status_label_fa")
        say(dispatcher, tracker, "case_status", reference=case["reference_display"], status=label)
        return reset
