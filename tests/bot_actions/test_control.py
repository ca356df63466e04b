"""No dead ends: typed yes and no answer the offer just made, cancel stops without
filing or opting out, help inside a form says how to stop, a description that says
nothing is asked for once more, and consent fits the channel."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.cases import ActionAskCallbackConsent, ActionAskCaseDescription, ValidateFeedbackForm
from actions.control import ActionAffirm, ActionCancel, ActionDeny, ActionFormHelp
from tests.bot_actions.apiserver import ApiServer
from tests.bot_actions.conftest import (
    make_tracker,
    pseudonym,
    run,
    said,
    slot_events,
)

SWITCH_TO_PRS = {"title": "دری", "payload": '/set_language{"language": "prs"}'}


def offered(*buttons: dict[str, str]) -> list[dict[str, Any]]:
    """The previous turn: the person's message, then an answer with these buttons."""
    return [
        {"event": "user", "text": "سلام", "parse_data": {}},
        {"event": "bot", "text": "...", "data": {"buttons": list(buttons)}},
    ]


def test_yes_to_the_language_switch_switches_and_records_it(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    tracker = make_tracker(sender, intent="affirm", text="بلی", events=offered(SWITCH_TO_PRS))
    events, [message] = run(ActionAffirm(), tracker)
    assert slot_events(events)["language"] == "prs"
    assert message["text"].startswith(services.knowledge.message("language_set", "prs").text)
    contact = api.bot("PUT", f"/contacts/{sender}/consent", json={"callback": False}).json()
    assert contact["language"] == "prs"


def test_no_to_the_language_switch_keeps_the_language_as_the_choice(
    services: Any, api: ApiServer
) -> None:
    sender = pseudonym()
    tracker = make_tracker(sender, intent="deny", text="نه", events=offered(SWITCH_TO_PRS))
    _, messages = run(ActionDeny(), tracker)
    assert said(messages) == ["language_kept"]
    contact = api.bot("PUT", f"/contacts/{sender}/consent", json={"callback": False}).json()
    assert contact["language"] == "fa"


def test_yes_to_the_offer_of_a_person_hands_over(services: Any) -> None:
    offer = services.knowledge.message("offer_human", "fa")
    tracker = make_tracker(intent="affirm", text="بله", events=offered(*offer.buttons))
    _, messages = run(ActionAffirm(), tracker)
    assert said(messages)[0] in ("handoff_open", "handoff_closed")


def test_yes_to_more_gives_more(services: Any) -> None:
    more = {"title": "اطلاعات بیشتر", "payload": "/more_info"}
    tracker = make_tracker(
        intent="affirm", text="آره", slots={"last_topic": "RET"}, events=offered(more)
    )
    _, messages = run(ActionAffirm(), tracker)
    topic = services.knowledge.topic("RET")
    assert [m["text"] for m in messages] == [f"(تأیید نشده) {t}" for t in topic.more["fa"]]


def test_yes_after_a_menu_or_nothing_shows_the_menu_and_no_says_no_problem(
    services: Any,
) -> None:
    menu = services.knowledge.message("main_menu", "fa").buttons
    for events in (offered(*menu), []):
        _, messages = run(ActionAffirm(), make_tracker(intent="affirm", events=events))
        assert said(messages) == ["main_menu"]
    _, messages = run(ActionDeny(), make_tracker(intent="deny", events=offered(*menu)))
    assert said(messages) == ["utter_no_problem"]


def test_an_offer_of_an_earlier_session_is_over(services: Any) -> None:
    events = [*offered(SWITCH_TO_PRS), {"event": "session_started"}]
    _, messages = run(ActionAffirm(), make_tracker(intent="affirm", events=events))
    assert said(messages) == ["main_menu"]


FORM_ON = {"event": "active_loop", "name": "feedback_form"}
FORM_OFF = {"event": "active_loop", "name": None}


@pytest.mark.parametrize(
    ("before", "slots", "key"),
    [
        ([FORM_ON], {"case_kind": "complaint"}, "complaint_cancelled"),
        ([FORM_ON], {"case_kind": "feedback"}, "feedback_cancelled"),
        ([{"event": "active_loop", "name": "case_status_form"}], {}, "followup_cancelled"),
        ([{"event": "active_loop", "name": "service_points_form"}], {}, "search_cancelled"),
        ([FORM_ON, FORM_OFF], {}, "nothing_to_cancel"),
        ([], {}, "nothing_to_cancel"),
    ],
)
def test_cancel_says_what_stopped_and_forgets_the_form(
    services: Any, before: list[dict[str, Any]], slots: dict[str, Any], key: str
) -> None:
    slots = {"case_description": "صف طولانی", "description_retry": True, **slots}
    tracker = make_tracker(intent="cancel", text="لغو", slots=slots, events=before)
    events, [message] = run(ActionCancel(), tracker)
    assert said([message]) == [key]
    # What the person can do next, as buttons (numbered on SMS).
    assert message["buttons"][0]["payload"] == "/help"
    reset = slot_events(events)
    assert reset["case_description"] is None and reset["case_kind"] is None
    assert reset["requested_slot"] is None and reset["description_retry"] is None


def test_help_inside_a_form_says_how_to_stop(services: Any) -> None:
    _, messages = run(ActionFormHelp(), make_tracker(intent="help", active_loop="feedback_form"))
    assert said(messages) == ["form_help"] and "لغو" in messages[0]["text"]


def _validate(text: str, intent: str, **slots: Any) -> dict[str, Any]:
    tracker = make_tracker(text=text, intent=intent, slots=slots, active_loop="feedback_form")
    form = ValidateFeedbackForm()
    return asyncio.run(form.validate_case_description(text, CollectingDispatcher(), tracker, {}))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("نه", "deny"),
        ("بلی", "affirm"),
        ("بله درسته", "affirm"),
        ("ok", "nlu_fallback"),
        ("ا ب", ""),
    ],
)
def test_a_description_that_says_nothing_is_asked_for_once_more(
    services: Any, text: str, intent: str
) -> None:
    assert _validate(text, intent) == {"case_description": None, "description_retry": True}
    # The second time it is taken as it is: no one is kept in a loop.
    assert _validate(text, intent, description_retry=True)["case_description"] == text


def test_a_short_real_description_is_taken_at_once(services: Any) -> None:
    assert _validate("کمک دیر شد", "nlu_fallback")["case_description"] == "کمک دیر شد"


def test_the_question_asked_again_says_what_is_wanted(services: Any) -> None:
    tracker = make_tracker(slots={"case_kind": "complaint", "description_retry": True})
    _, messages = run(ActionAskCaseDescription(), tracker)
    assert said(messages) == ["description_too_short"]


@pytest.mark.parametrize(
    ("channel", "language", "words"),
    [
        ("telegram", "fa", "همین‌جا به شما پیام بدهد"),
        ("telegram", "prs", "همین‌جا برای تان پیام بفرستد"),
        ("web", "fa", "همین‌جا"),
        ("sms", "fa", "با این شماره تماس بگیرد یا پیامک بدهد"),
        ("sms", "prs", "به این نمبر زنگ بزند یا پیام بفرستد"),
    ],
)
def test_consent_fits_the_channel(services: Any, channel: str, language: str, words: str) -> None:
    tracker = make_tracker(slots={"channel": channel, "language": language})
    _, [message] = run(ActionAskCallbackConsent(), tracker)
    assert words in message["text"]
    if channel == "sms":  # a numbered menu, and how to answer it
        assert message["text"].endswith(services.knowledge.message("menu_hint", language).text)
    else:
        assert "شماره" not in message["text"] and "نمبر" not in message["text"]


def test_privacy_details_offer_the_deletion_in_one_tap(services: Any) -> None:
    """A button, not a typed phrase: the payload reaches the assistant as it is."""
    from actions.contact import ActionPrivacyDetails

    for language in ("fa", "prs"):
        _, [message] = run(ActionPrivacyDetails(), make_tracker(slots={"language": language}))
        assert said([message]) == ["privacy_details"]
        assert [b["payload"] for b in message["buttons"]] == ["/request_data_deletion"]
