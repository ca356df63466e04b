"""Complaints and feedback (a form), and sensitive reports (no questions)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import provinces
from actions.api import ApiError, ApiUnavailable
from actions.conversation import client_key, latest_intent, latest_text
from actions.filing import Filed, case_body, file_case
from actions.messages import say
from actions.runtime import services
from actions.triage import classify

logger = logging.getLogger(__name__)

FORM_SLOTS = ("case_description", "case_province", "callback_consent", "operator_gender")
SKIP = "skip"
# A triggering message this long already says what happened: do not ask again.
_DESCRIPTION_MIN_WORDS = 6


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    async def extract_case_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        # Only at activation (nothing requested yet), from the triggering message.
        if tracker.get_slot("requested_slot") or tracker.get_slot("case_description"):
            return {}
        text = latest_text(tracker)
        if text.startswith("/") or len(text.split()) < _DESCRIPTION_MIN_WORDS:
            return {}
        return {"case_description": text}

    async def validate_case_description(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text or text.startswith("/"):
            return {"case_description": None}
        slots: dict[str, Any] = {"case_description": text}
        # A province named earlier in the conversation, or in the description
        # itself, spares the person a question.
        province = tracker.get_slot("province") or provinces.canonical(text)
        if province and not tracker.get_slot("case_province"):
            slots["case_province"] = province
        return slots

    async def validate_case_province(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        # Never block a complaint on geography: anything unrecognised is a skip.
        return {"case_province": provinces.canonical(str(value or "")) or SKIP}


# The form asks through these (Rasa looks for action_ask_<slot> before
# utter_ask_<slot>); the texts are in bot/data/knowledge/messages.yml.
class ActionAskCaseDescription(Action):
    """A complaint is asked what happened; feedback, for the opinion."""

    def name(self) -> str:
        return "action_ask_case_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        feedback = tracker.get_slot("case_kind") == "feedback"
        say(dispatcher, tracker, "ask_feedback_description" if feedback else "ask_case_description")
        return []


class ActionAskCaseProvince(Action):
    def name(self) -> str:
        return "action_ask_case_province"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, tracker, "ask_case_province")
        return []


class ActionAskCallbackConsent(Action):
    def name(self) -> str:
        return "action_ask_callback_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, tracker, "ask_callback_consent")
        return []


# The form's activation event anchors the idempotency key of its submission.
_FORM_ACTIVATION = {"event": "active_loop", "name": "feedback_form"}


class ActionSubmitCase(Action):
    """File the complaint or feedback collected by the form."""

    def name(self) -> str:
        return "action_submit_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (
            "give_feedback" if tracker.get_slot("case_kind") == "feedback" else "file_complaint"
        )
        description = tracker.get_slot("case_description") or ""
        codes = classify(intent, description, tracker.get_slot("last_topic"))
        province = tracker.get_slot("case_province")
        consent = tracker.get_slot("callback_consent")
        gender = tracker.get_slot("operator_gender") if consent else None
        body = case_body(
            tracker,
            client_key(tracker, "form", **_FORM_ACTIVATION),
            codes,
            description,
            province=None if province in (None, SKIP) else province,
            callback_consent=bool(consent),
            preferred_operator_gender=(gender or "any") if consent else None,
        )
        filed = await file_case(body)
        if not filed.spooled:
            await _record_consent(tracker.sender_id, bool(consent), body)
        _acknowledge(dispatcher, tracker, filed)
        return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "case_kind")] + [
            SlotSet("last_reference", filed.reference)
        ]


async def _record_consent(contact: str, consent: bool, body: dict[str, Any]) -> None:
    try:
        await asyncio.to_thread(
            services().api.set_consent,
            contact,
            consent,
            body.get("preferred_operator_gender"),
        )
    except (ApiUnavailable, ApiError) as exc:
        # The case itself carries callback_consent, so nothing is lost.
        logger.warning("consent not recorded on the contact: %s", exc)


def _acknowledge(dispatcher: CollectingDispatcher, tracker: Tracker, filed: Filed) -> None:
    if filed.spooled:
        say(dispatcher, tracker, "case_spooled")
    else:
        say(dispatcher, tracker, "case_created", reference=filed.display)


class ActionReportSensitive(Action):
    """Misconduct, exploitation, a need for protection: log at once, ask nothing.

    Survivor-centred: the triggering message is the whole description; the
    person gets the reference, safe next steps and the offer of a person.
    """

    def name(self) -> str:
        return "action_report_sensitive"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        codes = classify(intent, text, tracker.get_slot("last_topic"))
        key = client_key(tracker, "report", event="user", text=text)
        filed = await file_case(case_body(tracker, key, codes, text))
        if filed.spooled:
            say(dispatcher, tracker, "report_spooled")
        elif codes.category == "SAF":
            say(dispatcher, tracker, "protection_received", reference=filed.display)
        else:
            say(dispatcher, tracker, "report_received", reference=filed.display)
        dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet("last_reference", filed.reference)]
