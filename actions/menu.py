"""The menu: what the assistant can do, and a line on how IOM staff must behave.

On Telegram and the web every topic is one tap away. On SMS the menu has two
levels, so that a first contact (notice and menu) fits three segments: a first
level of a few groups, whose buttons (`/help{"menu": "services"}`) open a
sub-menu. The texts and buttons are in messages.yml (`main_menu`, with its SMS
variant, and `menu_<name>` for the sub-menus).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_intent
from actions.knowledge import Message
from actions.messages import Reply
from actions.runtime import services

# What the person said that led to the menu: a line before it.
_LEADS = {"out_of_scope": "menu_lead_out_of_scope", "nlu_fallback": "menu_lead_unclear"}


def menu_reply(tracker: Tracker, submenu: str | None = None, lead: str | None = None) -> Reply:
    """The main menu (or a sub-menu), after the message `lead` if given."""
    reply = Reply(tracker)
    key = f"menu_{submenu}" if submenu else "main_menu"
    if key not in services().knowledge.message_keys():
        key = "main_menu"
    menu = reply.message(key)
    if lead:
        menu = Message(f"{reply.message(lead).text}\n{menu.text}", menu.buttons)
    return reply.add(menu)


class ActionShowMenu(Action):
    def name(self) -> str:
        return "action_show_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        submenu = next(tracker.get_latest_entity_values("menu"), None)
        lead = _LEADS.get(latest_intent(tracker))
        return menu_reply(tracker, submenu, lead).send(dispatcher)
