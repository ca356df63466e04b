"""Follow-up on a case by its reference, and the list of a person's open cases."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import case_reference
from actions.api import ApiError, ApiUnavailable
from actions.conversation import language_of
from actions.knowledge import Message
from actions.messages import Reply, say, tell
from actions.runtime import services
from persian_text import sms

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
            tell(dispatcher, tracker, message)
            return {"case_reference": None, "reference_attempts": attempts}


class ActionAskCaseReference(Action):
    """The form's question (Rasa looks for action_ask_<slot> before utter_ask_<slot>)."""

    def name(self) -> str:
        return "action_ask_case_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return say(dispatcher, tracker, "ask_case_reference")


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
            return reset + say(dispatcher, tracker, "reference_give_up")
        try:
            case = await asyncio.to_thread(
                services().api.case_status, reference, tracker.sender_id, language_of(tracker)
            )
        except ApiUnavailable:
            return reset + say(dispatcher, tracker, "api_unavailable")
        except ApiError as exc:
            # 404: unknown, or filed by someone else; both read "not found for you".
            key = "bad_check_digit" if exc.status == 422 else "case_not_found"
            return reset + say(dispatcher, tracker, key)
        return reset + say(
            dispatcher,
            tracker,
            "case_status",
            reference=case["reference_display"],
            status=case["status_label"],
        )


class ActionListMyCases(Action):
    """The person's open cases, without their reference: one SMS-sized message.

    A line per case (reference, kind, status), the most recently changed first;
    what does not fit is counted. Sensitive reports read "confidential report".
    """

    def name(self) -> str:
        return "action_list_my_cases"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reply = Reply(tracker)
        try:
            answer = await asyncio.to_thread(
                services().api.open_cases, tracker.sender_id, reply.language
            )
        except (ApiUnavailable, ApiError):
            return say(dispatcher, tracker, "api_unavailable")
        cases = answer.get("cases") or []
        if not cases:
            return say(dispatcher, tracker, "no_open_cases")
        lines = [
            reply.message(
                "open_case_line",
                reference=case["reference_display"],
                kind=case["category_label"],
                status=case["status_label"],
            ).text
            for case in cases
        ]
        header = reply.message("open_cases", count=len(cases))
        return reply.add(Message(_fit(header.text, lines, reply))).send(dispatcher)


def _fit(header: str, lines: list[str], reply: Reply) -> str:
    """The header and as many lines as fit one message, then how many more there are."""
    text = header
    for shown, line in enumerate(lines):
        rest = len(lines) - shown - 1
        more = "\n" + reply.message("more_cases", count=rest).text if rest else ""
        if not sms.fits(f"{text}\n{line}{more}"):
            return text + "\n" + reply.message("more_cases", count=len(lines) - shown).text
        text = f"{text}\n{line}"
    return text
