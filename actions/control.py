"""What a person types to steer the conversation: yes, no, cancel, help inside a form."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import more_reply
from actions.contact import hand_over
from actions.conversation import last_offer
from actions.menu import menu_reply
from actions.messages import Reply, say
from actions.session import choose_language, keep_language, offered_language

# Everything a form or a look-up was collecting.
_FORM_SLOTS = (
    "case_kind",
    "case_description",
    "case_province",
    "callback_consent",
    "operator_gender",
    "description_retry",
    "case_reference",
    "reference_attempts",
    "province_attempts",
    "requested_slot",
)


class ActionAffirm(Action):
    """A typed yes where no rule knows the context: it accepts the offer just made.

    The offer is the menu of the assistant's previous turn (a turn shows at most
    one): the language switch on its own, a person, or more on a topic. A yes to
    anything else (a menu of topics) shows the menu. Offers whose yes must lead
    to a confirmation (deleting data) have rules of their own.
    """

    def name(self) -> str:
        return "action_affirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        offer = last_offer(tracker)
        language = offered_language(offer)
        if language:
            return await choose_language(dispatcher, tracker, language)
        first = offer[0].get("payload") if offer else None
        if first == "/request_human":
            return await hand_over(dispatcher, tracker, "request_human")
        if first == "/more_info":
            return more_reply(tracker).send(dispatcher)
        return menu_reply(tracker).send(dispatcher)


class ActionDeny(Action):
    """A typed no where no rule knows the context: nothing happens, and the person hears so.
    A no to the language switch keeps the language, as the person's choice."""

    def name(self) -> str:
        return "action_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if offered_language(last_offer(tracker)):
            return await keep_language(dispatcher, tracker)
        return Reply(tracker).response("utter_no_problem").send(dispatcher)


def _interrupted_loop(tracker: Tracker) -> str | None:
    """The form that was active when the person wrote their latest message."""
    events = tracker.events
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    for event in reversed(events[: users[-1]] if users else []):
        if event.get("event") == "active_loop":
            return event.get("name")
    return None


class ActionCancel(Action):
    """Stop what is going on (a complaint, feedback, a follow-up, a search) without
    leaving: say what was stopped, that nothing was filed, and what the person can do.
    The rules deactivate the form first."""

    def name(self) -> str:
        return "action_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        loop = _interrupted_loop(tracker)
        if loop == "feedback_form":
            feedback = tracker.get_slot("case_kind") == "feedback"
            key = "feedback_cancelled" if feedback else "complaint_cancelled"
        elif loop == "case_status_form":
            key = "followup_cancelled"
        elif loop == "service_points_form":
            key = "search_cancelled"
        else:
            key = "nothing_to_cancel"
        return [*say(dispatcher, tracker, key), *(SlotSet(slot, None) for slot in _FORM_SLOTS)]


class ActionFormHelp(Action):
    """Help inside a form: how to stop. The form then asks its question again."""

    def name(self) -> str:
        return "action_form_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return say(dispatcher, tracker, "form_help")
