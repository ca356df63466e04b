"""Answers from the knowledge content (bot/data/knowledge)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_intent
from actions.knowledge import Message
from actions.menu import menu_reply
from actions.messages import Reply
from actions.runtime import services


class ActionAnswerKnowledge(Action):
    """The short answer for an ask_* intent, local details, and a "more" button
    (and the topic's own buttons, such as a confidential report)."""

    def name(self) -> str:
        return "action_answer_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        knowledge = services().knowledge
        topic = knowledge.topic_for_intent(latest_intent(tracker))
        if topic is None:
            return menu_reply(tracker).send(dispatcher)
        reply = Reply(tracker)
        texts = knowledge.short_answer(
            topic, reply.language, tracker.get_slot("province"), reply.channel
        )
        for text in texts[:-1]:
            reply.add(Message(text))
        more = {"title": knowledge.label("more_button", reply.language), "payload": "/more_info"}
        buttons = (more, *knowledge.topic_buttons(topic, reply.language))
        reply.add(Message(texts[-1], buttons))
        # "More" and a later complaint refer to what the person asked about.
        return [*reply.send(dispatcher), SlotSet("last_topic", topic.key)]


class ActionMoreInfo(Action):
    def name(self) -> str:
        return "action_more_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return more_reply(tracker).send(dispatcher)


def more_reply(tracker: Tracker) -> Reply:
    """The longer text on the last topic, one SMS-sized message at a time; the menu
    when there is none."""
    knowledge = services().knowledge
    topic = knowledge.topic(tracker.get_slot("last_topic") or "")
    if topic is None:
        return menu_reply(tracker)
    reply = Reply(tracker)
    province = tracker.get_slot("province")
    texts = knowledge.more_answer(topic, reply.language, province, reply.channel)
    for text in texts[:-1]:
        reply.add(Message(text))
    # The topic's own buttons again (a confidential report), under its last part.
    return reply.add(Message(texts[-1], knowledge.topic_buttons(topic, reply.language)))
