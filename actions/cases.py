"""Complaints and feedback (a form), and sensitive reports (no questions)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

import case_reference
from actions import provinces
from actions.api import ApiError, ApiUnavailable
from actions.conversation import clear_answer, client_key, latest_intent, latest_text
from actions.filing import Filed, case_body, file_case
from actions.messages import Reply, say, tell
from actions.runtime import services
from actions.triage import classify
from persian_text import normalize

logger = logging.getLogger(__name__)

FORM_SLOTS = (
    "case_description",
    "case_province",
    "callback_consent",
    "operator_gender",
    "description_retry",
)
SKIP = "skip"
# A triggering message this long already says what happened: do not ask again.
_DESCRIPTION_MIN_WORDS = 6
# A description with fewer letters than this ("نه", "ok", "بلی") says nothing yet.
_DESCRIPTION_MIN_LETTERS = 5


def says_nothing(text: str, intent: str) -> bool:
    """Only yes, no, or a few letters: not a description of what happened."""
    letters = sum(char.isalpha() for char in normalize(text))
    return intent in ("affirm", "deny") or letters < _DESCRIPTION_MIN_LETTERS


def case_topic(tracker: Tracker) -> str | None:
    """The taxonomy topic of what the person asked about last, if anything."""
    topic = services().knowledge.topic(tracker.get_slot("last_topic") or "")
    return topic.case_topic if topic else None


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
        # Asked once more (action_ask_case_description), then whatever the person writes is taken.
        if says_nothing(text, latest_intent(tracker)) and not tracker.get_slot("description_retry"):
            return {"case_description": None, "description_retry": True}
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

    async def validate_callback_consent(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        if value is None or clear_answer(tracker):
            return {"callback_consent": value}
        # Not clearly yes or no: the question comes again (the form asks it), with a word
        # on how to answer.
        tell(dispatcher, tracker, "yes_or_no_unclear")
        return {"callback_consent": None}


# The form asks through these (Rasa looks for action_ask_<slot> before
# utter_ask_<slot>); the texts are in bot/data/knowledge/messages.yml.
class ActionAskCaseDescription(Action):
    """A complaint is asked what happened; feedback, for the opinion; an answer that
    said nothing, for a sentence."""

    def name(self) -> str:
        return "action_ask_case_description"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("description_retry"):
            return say(dispatcher, tracker, "description_too_short")
        feedback = tracker.get_slot("case_kind") == "feedback"
        return say(
            dispatcher, tracker, "ask_feedback_description" if feedback else "ask_case_description"
        )


class ActionAskCaseProvince(Action):
    def name(self) -> str:
        return "action_ask_case_province"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return say(dispatcher, tracker, "ask_case_province")


class ActionAskCallbackConsent(Action):
    """On SMS: may we call or text this number; elsewhere: may we write to you here."""

    def name(self) -> str:
        return "action_ask_callback_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return say(dispatcher, tracker, "ask_callback_consent")


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
        codes = classify(intent, description, case_topic(tracker))
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
        if filed.spooled:
            said = say(dispatcher, tracker, "case_spooled")
        else:
            said = say(dispatcher, tracker, "case_created", reference=filed.display)
        return [
            *said,
            *(SlotSet(slot, None) for slot in (*FORM_SLOTS, "case_kind")),
            SlotSet("last_reference", filed.reference),
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


class ActionReportSensitive(Action):
    """A disclosure: misconduct, fraud, exploitation, abuse, a need for protection.

    Survivor-centred: nothing is asked. When the gateway's disclosure triage saw it
    first, it filed the case itself and sends only the intent with the category and
    the reference (`disclosure`, `filed_reference`, `danger` entities): the words never
    reach the assistant. Otherwise (the assistant's own intent) the triggering message
    is filed as the report and the service's triage picks its category. Either way the
    person gets the reference, hears that reporting does not affect their assistance,
    gets the emergency numbers when there is danger, and is offered a person.
    """

    def name(self) -> str:
        return "action_report_sensitive"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        filed_reference = next(tracker.get_latest_entity_values("filed_reference"), None)
        danger = next(tracker.get_latest_entity_values("danger"), None) is not None
        if filed_reference:
            category = next(tracker.get_latest_entity_values("disclosure"), None)
            filed = Filed(filed_reference, case_reference.display(filed_reference))
        else:
            intent, text = latest_intent(tracker), latest_text(tracker)
            codes = classify(intent, text, case_topic(tracker))
            key = client_key(tracker, "report", event="user", text=text)
            filed = await file_case(case_body(tracker, key, codes, text))
            category = filed.category
        reply = Reply(tracker)
        if danger:
            reply.say("danger_numbers")
        if filed.spooled:
            reply.say("report_spooled")
        elif category == "SAF":
            reply.say("protection_received", reference=filed.display)
        else:
            reply.say("report_received", reference=filed.display)
        reply.say("offer_human")
        return [*reply.send(dispatcher), SlotSet("last_reference", filed.reference)]
