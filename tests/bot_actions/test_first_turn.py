"""The first message counts: the language chosen or guessed, and the first answer
carrying the privacy notice and a one-tap switch to the other language, within
3 SMS segments in all; one menu per turn; a hint under every SMS menu."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.answers import ActionAnswerKnowledge
from actions.cases import ActionAskCaseDescription, ActionReportSensitive
from actions.control import ActionCancel
from actions.menu import ActionShowMenu
from actions.places import ActionAskProvince
from actions.session import ActionSessionStart, ActionSetLanguage
from actions.status import ActionAskCaseReference, ActionListMyCases
from persian_text import sms
from tests.bot_actions.conftest import make_tracker, run, slot_events

SWITCH = {
    "prs": {"title": "دری", "payload": '/set_language{"language": "prs"}'},
    "fa": {"title": "فارسی", "payload": '/set_language{"language": "fa"}'},
}
FIRST = {"notice_due": True}


def first(language: str = "fa", channel: str = "telegram", **kwargs: Any) -> Tracker:
    """The tracker of a first answer: no language chosen, the other one offered."""
    other = "prs" if language == "fa" else "fa"
    slots = {"language": language, "channel": channel, "language_offer": other, **FIRST}
    return make_tracker(slots={**slots, **kwargs.pop("slots", {})}, **kwargs)


def start(metadata: dict[str, Any], **slots: Any) -> dict[str, Any]:
    tracker = make_tracker(slots={"session_started_metadata": metadata, "language": None, **slots})
    events, messages = run(ActionSessionStart(), tracker)
    assert messages == []  # nothing before the answer to what the person wrote
    assert events[0]["event"] == "session_started"
    return slot_events(events)


def test_a_stored_choice_is_used_and_nothing_is_due() -> None:
    chosen = {"channel": "sms", "language": "prs", "language_guess": "fa"}
    assert start(chosen) == {"language": "prs", "channel": "sms"}


@pytest.mark.parametrize(
    ("metadata", "earlier", "language"),
    [
        ({"language_guess": "prs"}, None, "prs"),  # the guess from the first words
        ({"language_guess": "fa"}, "prs", "fa"),  # a fresh guess over an earlier one
        ({"language_guess": None}, "prs", "prs"),  # undecided: this conversation so far
        ({}, None, "fa"),  # nothing known: Farsi
        ({"language": "xx", "language_guess": "en"}, None, "fa"),
    ],
)
def test_without_a_choice_the_guess_then_farsi_and_the_notice_is_due(
    metadata: dict[str, Any], earlier: str | None, language: str
) -> None:
    other = "prs" if language == "fa" else "fa"
    slots = start({"channel": "telegram", **metadata}, language=earlier)
    assert slots == {
        "language": language,
        "channel": "telegram",
        "notice_due": True,
        "language_offer": other,
    }


def test_the_first_answer_on_telegram_has_the_notice_and_the_switch_in_its_menu(
    services: Any,
) -> None:
    events, [message] = run(ActionShowMenu(), first("prs", intent="greet"))
    knowledge = services.knowledge
    notice, menu = (
        knowledge.message(k, "prs", "telegram") for k in ("privacy_notice", "main_menu")
    )
    assert message["text"] == f"{notice.text}\n{menu.text}"
    assert message["buttons"] == [*menu.buttons, SWITCH["fa"]]
    assert slot_events(events) == {"notice_due": None, "language_offer": None}


def test_the_next_answer_has_neither(services: Any) -> None:
    _, [message] = run(ActionShowMenu(), make_tracker(intent="greet"))
    assert not message["text"].startswith("سلام!")
    assert SWITCH["prs"] not in message["buttons"]


def test_an_answer_without_a_menu_gets_the_switch_as_a_question(services: Any) -> None:
    events, [message] = run(
        ActionAskCaseDescription(), first("fa", slots={"case_kind": "complaint"})
    )
    knowledge = services.knowledge
    question = knowledge.message("ask_case_description", "fa").text
    offer = knowledge.message("language_offer", "fa").text
    assert message["text"].endswith(f"\n{question}\n{offer}")
    assert message["buttons"] == [SWITCH["prs"]]
    assert slot_events(events) == {"notice_due": None, "language_offer": None}


def test_a_report_or_danger_is_answered_alone_the_notice_waits(services: Any) -> None:
    entities = [
        {"entity": "disclosure", "value": "SEA"},
        {"entity": "filed_reference", "value": "12345674"},
    ]
    tracker = first("fa", intent="report_misconduct", entities=entities, text="/report_misconduct")
    events, messages = run(ActionReportSensitive(), tracker)
    assert "notice_due" not in slot_events(events)
    assert not any(SWITCH["prs"] in m.get("buttons", []) for m in messages)
    assert not messages[0]["text"].startswith("سلام!")


def test_choosing_a_language_first_gets_the_notice_without_the_switch(
    services: Any, api: Any
) -> None:
    tracker = first(
        "prs",
        intent="set_language",
        entities=[{"entity": "language", "value": "prs"}],
    )
    events, [message] = run(ActionSetLanguage(), tracker)
    notice = services.knowledge.message("privacy_notice", "prs").text
    assert message["text"].startswith(notice)
    assert SWITCH["fa"] not in message["buttons"]
    assert slot_events(events) == {"language": "prs", "notice_due": None, "language_offer": None}


def test_a_second_menu_in_one_turn_loses_its_buttons_and_the_switch_waits(services: Any) -> None:
    emergency = {
        "event": "bot",
        "text": "۱۱۵",
        "data": {"buttons": [{"title": "x", "payload": "/y"}]},
    }
    tracker = first("fa", slots={"case_kind": "complaint"}, turn=[emergency])
    events, [message] = run(ActionAskCaseReference(), tracker)
    assert message["buttons"] == []
    assert slot_events(events) == {"notice_due": None}  # the switch comes with the next answer


def test_every_sms_menu_says_how_to_answer(services: Any) -> None:
    hint = services.knowledge.message("menu_hint", "fa").text
    _, [menu] = run(ActionShowMenu(), make_tracker(slots={"channel": "sms"}, intent="help"))
    assert menu["text"].endswith(f"\n{hint}")
    assert 1 < len(menu["buttons"]) <= 5  # the first level of the two-level SMS menu
    _, [telegram] = run(ActionShowMenu(), make_tracker(intent="help"))
    assert hint not in telegram["text"] and len(telegram["buttons"]) > 5


def test_an_sms_sub_menu(services: Any) -> None:
    tracker = make_tracker(
        slots={"channel": "sms", "language": "prs"},
        intent="help",
        entities=[{"entity": "menu", "value": "paths"}],
    )
    _, [menu] = run(ActionShowMenu(), tracker)
    payloads = [b["payload"] for b in menu["buttons"]]
    assert payloads == [
        "/ask_documentation",
        "/ask_labour_migration",
        "/ask_return",
        "/ask_service_points",
    ]
    assert menu["text"].startswith("اسناد، کار و برگشت:")


def _sms_cost(messages: list[dict[str, Any]]) -> int:
    """As the gateway renders them: the buttons numbered under the text."""
    rendered = [
        sms.numbered_menu(m["text"], [b["title"] for b in m.get("buttons") or []], "۰۱۲۳۴۵۶۷۸۹")
        for m in messages
    ]
    return sum(sms.segments(text) for text in rendered)


FIRST_ANSWERS = [
    (ActionShowMenu(), {"intent": "greet"}),
    (ActionShowMenu(), {"intent": "out_of_scope"}),
    (ActionAskCaseDescription(), {"slots": {"case_kind": "complaint"}}),
    (ActionAskCaseDescription(), {"slots": {"case_kind": "feedback"}}),
    (ActionAskCaseReference(), {}),
    (ActionAskProvince(), {}),
    (ActionCancel(), {"intent": "cancel"}),
    *(
        (ActionAnswerKnowledge(), {"intent": intent})
        for intent in (
            "ask_cash_assistance",
            "ask_shelter",
            "ask_health",
            "ask_mhpss",
            "ask_wash",
            "ask_livelihoods",
            "ask_documentation",
            "ask_labour_migration",
            "ask_return",
            "ask_staff_conduct",
        )
    ),
]


@pytest.mark.parametrize("language", ["fa", "prs"])
@pytest.mark.parametrize(
    ("action", "context"), FIRST_ANSWERS, ids=[f"{a.name()}-{c}" for a, c in FIRST_ANSWERS]
)
def test_a_first_contact_by_sms_costs_at_most_three_segments(
    services: Any, action: Any, context: dict[str, Any], language: str
) -> None:
    """Notice, answer, switch and hint together, rendered as the gateway renders SMS."""
    context = {**context, "slots": {"province": "Tehran", **context.get("slots", {})}}
    _, messages = run(action, first(language, "sms", **context))
    assert messages[0]["text"].startswith(
        services.knowledge.message("privacy_notice", language, "sms").text
    )
    assert sum(bool(m.get("buttons")) for m in messages) == 1
    assert _sms_cost(messages) <= 3, messages


def test_the_first_contact_list_of_cases_fits_too(services: Any, api: Any) -> None:
    _, messages = run(ActionListMyCases(), first("prs", "sms"))
    assert _sms_cost(messages) <= 3
