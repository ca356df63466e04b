"""The service directory: offices and service points in the person's province.

The entries are data (bot/data/knowledge/service_points.yml, sample content
until verified); the province is asked for when the conversation does not know
it yet (service_points_form), with the provinces that have entries as buttons.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import provinces
from actions.knowledge import Message
from actions.messages import Reply, say, tell
from actions.runtime import services
from persian_text import sms

# After this many unreadable answers the person gets the list of provinces we know.
MAX_ATTEMPTS = 2


class ValidateServicePointsForm(FormValidationAction):
    def name(self) -> str:
        return "validate_service_points_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        if (tracker.get_slot("province_attempts") or 0) >= MAX_ATTEMPTS:
            return []
        return domain_slots

    async def validate_province(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        name = provinces.canonical(str(value or ""))
        if name:
            return {"province": name}
        tell(dispatcher, tracker, "province_not_understood")
        return {
            "province": None,
            "province_attempts": (tracker.get_slot("province_attempts") or 0) + 1,
        }


def _province_buttons() -> tuple[dict[str, str], ...]:
    return tuple(
        {
            "title": provinces.persian_name(name),
            "payload": "/ask_service_points" + json.dumps({"province": name}),
        }
        for name in services().knowledge.provinces_with_service_points()
    )


class ActionAskProvince(Action):
    """The form's question, with the provinces that have entries as a menu."""

    def name(self) -> str:
        return "action_ask_province"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reply = Reply(tracker)
        question = reply.message("ask_province")
        return reply.add(Message(question.text, _province_buttons())).send(dispatcher)


class ActionServicePoints(Action):
    """The entries of the person's province, packed into SMS-sized messages."""

    def name(self) -> str:
        return "action_service_points"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        done = [SlotSet("province_attempts", None)]
        province = tracker.get_slot("province")
        knowledge = services().knowledge
        if not province:
            known = "، ".join(
                provinces.persian_name(name) for name in knowledge.provinces_with_service_points()
            )
            return done + say(dispatcher, tracker, "no_province", provinces=known)
        name = provinces.persian_name(province)
        points = knowledge.service_points(province)
        if not points:
            return done + say(dispatcher, tracker, "no_service_points", province=name)
        reply = Reply(tracker)
        text = reply.message("service_points", province=name).text
        for point in points:
            line = knowledge.service_point_line(point, reply.language)
            if not sms.fits(f"{text}\n{line}"):
                reply.add(Message(text))
                text = line
            else:
                text = f"{text}\n{line}"
        reply.add(Message(text))
        return done + reply.send(dispatcher)
