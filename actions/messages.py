"""Composing what an action says: the texts of bot/data/knowledge/messages.yml.

Responses that rules and stories predict are in the domain; what the custom
actions say lives in the knowledge directory, so `rasa data validate` has no
unused responses and editors can change the wording without retraining.

Every answer of a custom action goes through `Reply`, which adds what the
turn needs besides the answer:

- the privacy notice, at the top of the first answer of a session in which the
  person has not chosen a language (`notice_due`, set by action_session_start);
- the one-tap switch to the other language (`language_offer`) in that answer:
  appended to its menu, or alone with a short question when it has none;
- on SMS, a one-line hint on how to answer a menu ("send the number").

A turn shows at most one menu (the gateway numbers one SMS menu per turn): an
answer that follows a menu in the same turn loses its buttons. An urgent answer
(danger, a report received) is sent alone; the notice waits for the next one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import channel_of, language_of, latest_intent, turn_events
from actions.knowledge import Message
from actions.runtime import services
from persian_text import sms

Button = dict[str, str]


def switch_button(language: str) -> Button:
    """The button that switches the conversation to `language`."""
    title = services().knowledge.label(f"switch_to_{language}", language)
    return {"title": title, "payload": "/set_language" + json.dumps({"language": language})}


def menu_shown_this_turn(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "bot" and (e.get("data") or {}).get("buttons")
        for e in turn_events(tracker)
    )


@dataclass
class Reply:
    """The messages of one action, sent together by `send`.

    `notice=False` for messages in the middle of a form's validation: the
    form's next question carries the notice instead.
    """

    tracker: Tracker
    notice: bool = True
    # A Message, or the name of a domain response (sent as Rasa renders it).
    items: list[Message | str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return language_of(self.tracker)

    @property
    def channel(self) -> str:
        return channel_of(self.tracker)

    def message(self, key: str, **values: Any) -> Message:
        return services().knowledge.message(key, self.language, self.channel, **values)

    def say(self, key: str, **values: Any) -> Reply:
        self.items.append(self.message(key, **values))
        return self

    def add(self, message: Message) -> Reply:
        self.items.append(message)
        return self

    def response(self, name: str) -> Reply:
        self.items.append(name)
        return self

    def send(self, dispatcher: CollectingDispatcher) -> list[EventType]:
        items, events = self._compose()
        for item in items:
            if isinstance(item, str):
                dispatcher.utter_message(response=item)
            else:
                dispatcher.utter_message(text=item.text, buttons=[dict(b) for b in item.buttons])
        return events

    def _compose(self) -> tuple[list[Message | str], list[EventType]]:
        items = list(self.items)
        menu_shown = menu_shown_this_turn(self.tracker)
        if menu_shown:
            items = [replace(i, buttons=()) if isinstance(i, Message) else i for i in items]
        urgent = any(isinstance(item, Message) and item.urgent for item in items)
        events: list[EventType] = []
        offer = self.tracker.get_slot("language_offer") if self.notice else None
        if offer and latest_intent(self.tracker) == "set_language":
            events.append(SlotSet("language_offer", None))  # the person chose
        elif offer and not urgent and not menu_shown:
            items = self._offer_language(items, offer)
            events.append(SlotSet("language_offer", None))
        items = [self._hinted(i) if isinstance(i, Message) else i for i in items]
        if self.tracker.get_slot("notice_due") and self.notice and not urgent:
            items = self._with_notice(items)
            events.append(SlotSet("notice_due", None))
        return items, events

    def _fits(self, message: Message) -> bool:
        """On SMS, at most 3 segments once rendered: the text, then the numbered buttons."""
        if self.channel != "sms":
            return True
        options = "".join(f"\n{n}. {b['title']}" for n, b in enumerate(message.buttons, 1))
        return sms.fits(message.text + options)

    def _hinted(self, item: Message) -> Message:
        """On SMS, a menu says how to answer it."""
        if not item.buttons or self.channel != "sms":
            return item
        hint = self.message("menu_hint").text
        return replace(item, text=f"{item.text}\n{hint}")

    def _offer_language(self, items: list[Message | str], offer: str) -> list[Message | str]:
        button = switch_button(offer)
        menu = next((i for i, m in enumerate(items) if isinstance(m, Message) and m.buttons), None)
        if menu is not None:
            current = items[menu]
            assert isinstance(current, Message)
            items[menu] = replace(current, buttons=(*current.buttons, button))
            return items
        question = Message(self.message("language_offer").text, (button,))
        last = items[-1] if items else None
        joined = _join(last, question) if isinstance(last, Message) else None
        # Measured with the SMS hint that it gets next.
        if joined and self._fits(self._hinted(joined)):
            items[-1] = joined
        else:
            items.append(question)
        return items

    def _with_notice(self, items: list[Message | str]) -> list[Message | str]:
        notice = Message(self.message("privacy_notice").text)
        first = items[0] if items else None
        if isinstance(first, Message) and self._fits(joined := _join(notice, first)):
            items[0] = joined
        else:
            items.insert(0, notice)
        return items


def _join(first: Message, second: Message) -> Message:
    """One message of two texts; the buttons are the second's (the first has none)."""
    return Message(f"{first.text}\n{second.text}", second.buttons, first.urgent or second.urgent)


def say(
    dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **values: Any
) -> list[EventType]:
    """Send message `key` in the person's language, with what the turn needs."""
    return Reply(tracker).say(key, **values).send(dispatcher)


def tell(dispatcher: CollectingDispatcher, tracker: Tracker, key: str, **values: Any) -> None:
    """Send message `key` as it is, in the middle of a form (its next question follows)."""
    Reply(tracker, notice=False).say(key, **values).send(dispatcher)
