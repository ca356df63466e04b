"""Answers from the knowledge content (bot/data/knowledge)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of, latest_intent
from actions.runtime import services


class ActionAnswerKnowledge(Action):
    """The short answer for an ask_* intent, local details, and a "more" button."""

    def name(self) -> str:
        return "action_answer_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        knowledge = services().knowledge
        topic = knowledge.topic_for_intent(latest_intent(tracker))
        if topic is None:
            dispatcher.utter_message(response="utter_help_menu")
            return []
        language = language_of(tracker)
        messages = knowledge.short_answer(topic, language, tracker.get_slot("province"))
        for text in messages[:-1]:
            dispatcher.utter_message(text=text)
        more = [{"title": knowledge.label("more_button", language), "payload": "/more_info"}]
        dispatcher.utter_message(text=messages[-1], buttons=more)
        # The topic of a later complaint defaults to what the person asked about.
        return [SlotSet("last_topic", topic.key)]


class ActionMoreInfo(Action):
    """The longer text on the last topic, one SMS-sized message at a time."""

    def name(self) -> str:
        return "action_more_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        knowledge = services().knowledge
        topic = knowledge.topic(tracker.get_slot("last_topic") or "")
        if topic is None:
            dispatcher.utter_message(response="utter_help_menu")
            return []
        for text in knowledge.more_answer(topic, language_of(tracker)):
            dispatcher.utter_message(text=text)
        return []
