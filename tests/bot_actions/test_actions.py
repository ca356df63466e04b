"""The custom actions against the real API (started by the `api` fixture)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

import case_reference
from actions.answers import ActionAnswerKnowledge, ActionMoreInfo
from actions.cases import (
    ActionAskCallbackConsent,
    ActionAskCaseDescription,
    ActionAskCaseProvince,
    ActionReportSensitive,
    ActionSubmitCase,
    ValidateFeedbackForm,
)
from actions.contact import ActionDeleteData, ActionRequestHuman
from actions.fallback import ActionDefaultFallback
from actions.session import ActionSessionStart, ActionSetLanguage
from actions.status import ActionAskCaseReference, ActionCheckCaseStatus, ValidateCaseStatusForm
from tests.bot_actions.apiserver import ApiServer
from tests.bot_actions.conftest import (
    filled,
    identify,
    make_tracker,
    pseudonym,
    run,
    said,
    slot_events,
)

FORM_ACTIVATED = {"event": "active_loop", "name": "feedback_form", "timestamp": 1_699_999_999.5}
LANGUAGE_BUTTONS = [
    {"title": "دری", "payload": '/set_language{"language": "prs"}'},
    {"title": "فارسی", "payload": '/set_language{"language": "fa"}'},
]


def file_complaint(services: Any, sender: str, **slots: Any) -> tuple[list, list]:
    tracker = make_tracker(
        sender,
        slots={
            "case_kind": "complaint",
            "case_description": "صف دفتر خیلی طولانی بود و کسی جواب نداد",
            "case_province": "Tehran",
            "callback_consent": True,
            **slots,
        },
        events=[FORM_ACTIVATED],
    )
    return run(ActionSubmitCase(), tracker)


def test_session_start_copies_metadata_and_skips_the_question(services: Any) -> None:
    tracker = make_tracker(
        slots={"session_started_metadata": {"channel": "sms", "language": "prs"}}
    )
    events, messages = run(ActionSessionStart(), tracker)
    assert slot_events(events) == {"language": "prs", "channel": "sms"}
    assert events[0]["event"] == "session_started"
    assert events[-1] == {**events[-1], "event": "action", "name": "action_listen"}
    assert messages == []


def test_language_choice_is_recorded(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    tracker = make_tracker(
        sender,
        slots={"language": "prs"},
        intent="set_language",
        entities=[{"entity": "language", "value": "prs"}],
    )
    events, messages = run(ActionSetLanguage(), tracker)
    assert slot_events(events) == {"language": "prs"}
    # One message: the confirmation in Dari, then the Dari menu.
    [message] = messages
    knowledge = services.knowledge
    assert message["text"] == "\n".join(
        (knowledge.message("language_set", "prs").text, knowledge.message("main_menu", "prs").text)
    )
    assert message["buttons"] == list(knowledge.message("main_menu", "prs").buttons)
    # The contact now holds the language: the consent endpoint answers with it.
    contact = api.bot("PUT", f"/contacts/{sender}/consent", json={"callback": False}).json()
    assert contact["language"] == "prs"


def test_language_intent_without_a_value_offers_the_choice(services: Any) -> None:
    events, messages = run(ActionSetLanguage(), make_tracker(intent="set_language"))
    assert events == []
    assert said(messages) == ["choose_language"]
    assert messages[0]["buttons"] == LANGUAGE_BUTTONS


def test_knowledge_answer_with_province_and_more(services: Any) -> None:
    tracker = make_tracker(slots={"language": "prs", "province": "Tehran"}, intent="ask_health")
    events, messages = run(ActionAnswerKnowledge(), tracker)
    assert slot_events(events) == {"last_topic": "HLT"}
    assert len(messages) == 2
    assert "تهران" in messages[1]["text"]
    assert messages[1]["buttons"] == [{"title": "معلومات بیشتر", "payload": "/more_info"}]
    # Sample content: the person reads that it is not verified yet.
    assert all(message["text"].startswith("(تأیید نشده) ") for message in messages)

    _, more = run(ActionMoreInfo(), make_tracker(slots={"language": "prs", "last_topic": "HLT"}))
    assert len(more) >= 2
    assert all(message["text"] for message in more)


def test_more_without_a_topic_shows_the_menu(services: Any) -> None:
    _, messages = run(ActionMoreInfo(), make_tracker(slots={"last_topic": None}))
    assert said(messages) == ["main_menu"]


def test_complaint_is_filed_once_with_a_reference(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    events, messages = file_complaint(services, sender, last_topic="HLT")
    assert said(messages) == ["case_created"]
    display = filled(messages[0])["reference"]
    digits = display.replace("-", "")
    assert len(display) == 9 and display[4] == "-"
    assert case_reference.find(display) == digits
    slots = slot_events(events)
    assert slots["last_reference"] == digits
    assert slots["case_description"] is None and slots["callback_consent"] is None

    # The same form submission again (a retried action): the same case.
    _, again = file_complaint(services, sender, last_topic="HLT")
    assert filled(again[0])["reference"] == display

    status = api.bot("GET", f"/cases/{digits}", params={"contact": sender}).json()
    assert status["category"] == "CMN"


def test_feedback_thanks_is_appreciation(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    _, messages = file_complaint(
        services,
        sender,
        case_kind="feedback",
        case_description="تشکر از همکاران شما، خیلی خوب بود",
        case_province="skip",
        callback_consent=False,
    )
    digits = filled(messages[0])["reference"].replace("-", "")
    status = api.bot("GET", f"/cases/{digits}", params={"contact": sender}).json()
    assert status["category"] == "APP"


def test_sensitive_report_asks_nothing_and_offers_a_person(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    text = "کارمند گفت اگر با او بخوابم کمک می‌گیرم"
    tracker = make_tracker(sender, text=text, intent="report_misconduct")
    events, messages = run(ActionReportSensitive(), tracker)
    assert said(messages) == ["report_received", "offer_human"]
    digits = filled(messages[0])["reference"].replace("-", "")
    assert slot_events(events) == {"last_reference": digits}
    status = api.bot("GET", f"/cases/{digits}", params={"contact": sender}).json()
    assert status["category"] == "SEA"


def test_a_complaint_button_then_abuse_in_words_is_filed_as_what_the_words_say(
    services: Any, api: ApiServer
) -> None:
    """The assistant only knows the intent; the service's triage reads the words."""
    sender = pseudonym()
    text = "راننده موسسه به دختر دوازده ساله من پیام‌های جنسی می‌فرستد"
    tracker = make_tracker(sender, text=text, intent="report_misconduct")
    _, messages = run(ActionReportSensitive(), tracker)
    digits = filled(messages[0])["reference"].replace("-", "")
    status = api.bot("GET", f"/cases/{digits}", params={"contact": sender}).json()
    assert status["category"] == "CSG"


def test_a_disclosure_the_gateway_filed_is_answered_without_its_words(
    services: Any, api: ApiServer
) -> None:
    """The gateway filed the case; the assistant gets only the category and the reference."""
    entities = [
        {"entity": "disclosure", "value": "SAF"},
        {"entity": "filed_reference", "value": "12345674"},
        {"entity": "danger", "value": "yes"},
    ]
    text = '/need_protection{"disclosure": "SAF", "filed_reference": "12345674"}'
    tracker = make_tracker(text=text, intent="need_protection", entities=entities)
    events, messages = run(ActionReportSensitive(), tracker)
    assert said(messages) == ["danger_numbers", "protection_received", "offer_human"]
    assert filled(messages[1])["reference"] == "1234-5674"
    assert slot_events(events) == {"last_reference": "12345674"}
    assert "آسیبی نمی‌زند" in messages[1]["text"]  # reporting does not affect assistance


def test_protection_request_is_saf(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    tracker = make_tracker(sender, text="شوهرم مرا کتک می‌زند", intent="need_protection")
    _, messages = run(ActionReportSensitive(), tracker)
    assert said(messages) == ["protection_received", "offer_human"]
    digits = filled(messages[0])["reference"].replace("-", "")
    status = api.bot("GET", f"/cases/{digits}", params={"contact": sender}).json()
    assert status["category"] == "SAF"


def _validate_reference(typed: str, attempts: int = 0) -> tuple[dict[str, Any], list]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"reference_attempts": attempts}, active_loop="case_status_form")
    result = asyncio.run(
        ValidateCaseStatusForm().validate_case_reference(typed, dispatcher, tracker, {})
    )
    return result, dispatcher.messages


def test_status_form_asks_again_on_a_wrong_check_digit(services: Any) -> None:
    result, messages = _validate_reference("1234-5670")
    assert result == {"case_reference": None, "reference_attempts": 1}
    assert said(messages) == ["bad_check_digit"]
    result, messages = _validate_reference("12", attempts=1)
    assert result == {"case_reference": None, "reference_attempts": 2}
    assert said(messages) == ["bad_reference_format"]


def test_status_form_gives_up_after_three_attempts(services: Any) -> None:
    tracker = make_tracker(slots={"reference_attempts": 3}, active_loop="case_status_form")
    required = asyncio.run(
        ValidateCaseStatusForm().required_slots(
            ["case_reference"], CollectingDispatcher(), tracker, {}
        )
    )
    assert required == []
    _, messages = run(ActionCheckCaseStatus(), make_tracker(slots={"case_reference": None}))
    assert said(messages) == ["reference_give_up"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/request_human", "/list_my_cases"]


def test_status_only_for_the_contact_who_filed(services: Any) -> None:
    sender = pseudonym()
    _, filed = file_complaint(services, sender)
    display = filled(filed[0])["reference"]
    persian = display.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    result, _ = _validate_reference(persian)
    digits = result["case_reference"]
    assert digits == display.replace("-", "")

    events, messages = run(
        ActionCheckCaseStatus(),
        make_tracker(sender, slots={"language": "prs", "case_reference": digits}),
    )
    assert said(messages) == ["case_status"]
    assert identify(messages[0])[1] == "prs"
    assert filled(messages[0])["reference"] == display
    assert filled(messages[0])["status"]
    assert slot_events(events) == {"case_reference": None, "reference_attempts": None}

    _, other = run(ActionCheckCaseStatus(), make_tracker(slots={"case_reference": digits}))
    assert said(other) == ["case_not_found"]


def test_handoff_tells_what_happens_next(services: Any) -> None:
    sender = pseudonym()
    _, filed = file_complaint(services, sender)
    reference = filled(filed[0])["reference"].replace("-", "")
    tracker = make_tracker(sender, intent="request_human", slots={"last_reference": reference})
    _, messages = run(ActionRequestHuman(), tracker)
    assert said(messages)[0] in ("handoff_open", "handoff_closed")
    if said(messages)[0] == "handoff_open":
        assert int(filled(messages[0])["position"]) >= 1
    else:
        day, time = filled(messages[0])["next_opening"].split(" ")
        assert day in {"شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه"}
        assert time[2] == ":"


def test_data_deletion(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    file_complaint(services, sender)
    services.spool.put({"client_key": "spooled-0001", "contact": sender, "type": "complaint"})
    events, messages = run(ActionDeleteData(), make_tracker(sender, slots={"language": "prs"}))
    assert said(messages) == ["data_deleted"]
    assert services.spool.pending_count() == 0  # refused by the API, then dropped
    assert identify(messages[0])[1] == "prs"
    assert events[0]["event"] == "reset_slots"
    assert slot_events(events)["language"] == "prs"


def test_an_unsure_yes_deletes_nothing_and_asks_again(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    _, filed = file_complaint(services, sender)
    digits = filled(filed[0])["reference"].replace("-", "")

    def follows_up() -> bool:
        lookup = api.bot("GET", f"/cases/{digits}", params={"contact": sender})
        return bool(lookup.status_code == 200)

    tracker = make_tracker(
        sender,
        slots={"language": "prs"},
        text="نمیدانم والله، چی فرق میکنه",
        intent="affirm",
        confidence=0.44,
    )
    events, messages = run(ActionDeleteData(), tracker)
    assert said(messages) == ["yes_or_no_unclear"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_confirm_deletion"}]
    assert follows_up()  # nothing deleted
    _, messages = run(ActionDeleteData(), make_tracker(sender, slots={"language": "prs"}))
    assert said(messages) == ["data_deleted"]
    assert not follows_up()


def test_deleting_data_keeps_an_open_abuse_report_and_says_so(
    services: Any, api: ApiServer
) -> None:
    sender = pseudonym()
    text = "مسئول ثبت نام گفت اگر یک شب پیشش بمانم اسمم را در لیست می‌نویسد"
    tracker = make_tracker(sender, text=text, intent="report_misconduct")
    _, messages = run(ActionReportSensitive(), tracker)
    digits = filled(messages[0])["reference"].replace("-", "")
    _, messages = run(ActionDeleteData(), make_tracker(sender))
    assert said(messages) == ["data_deleted_report_kept"]
    manager_view = api.case_as("psea_focal_point", digits)
    assert manager_view["description"] == text and manager_view["category"] == "SEA"


def test_description_from_a_long_first_message(services: Any) -> None:
    text = "در دفتر کفالت مشهد کارمند به من توهین کرد و کارم را انجام نداد"
    tracker = make_tracker(text=text, intent="file_complaint", active_loop="feedback_form")
    dispatcher = CollectingDispatcher()
    extracted = asyncio.run(
        ValidateFeedbackForm().extract_case_description(dispatcher, tracker, {})
    )
    assert extracted == {"case_description": text}
    validated = asyncio.run(
        ValidateFeedbackForm().validate_case_description(text, dispatcher, tracker, {})
    )
    # Mashhad names the province: the form will not ask for it.
    assert validated == {"case_description": text, "case_province": "Razavi Khorasan"}


def test_a_short_trigger_is_not_a_description(services: Any) -> None:
    tracker = make_tracker(text="شکایت دارم", intent="file_complaint", active_loop="feedback_form")
    extracted = asyncio.run(
        ValidateFeedbackForm().extract_case_description(CollectingDispatcher(), tracker, {})
    )
    assert extracted == {}


def test_unknown_place_is_a_skip(services: Any) -> None:
    validated = asyncio.run(
        ValidateFeedbackForm().validate_case_province(
            "یک روستای کوچک", CollectingDispatcher(), make_tracker(), {}
        )
    )
    assert validated == {"case_province": "skip"}


def test_consent_is_a_clear_yes_or_no_never_a_guess(services: Any) -> None:
    def validate(text: str, intent: str, confidence: float, value: bool) -> tuple[dict, list]:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            slots={"language": "prs"},
            text=text,
            intent=intent,
            confidence=confidence,
            active_loop="feedback_form",
        )
        form = ValidateFeedbackForm()
        slots = asyncio.run(form.validate_callback_consent(value, dispatcher, tracker, {}))
        return slots, dispatcher.messages

    # A tap, or a typed yes or no the assistant is sure of, is the answer.
    assert validate("/affirm", "affirm", 1.0, True) == ({"callback_consent": True}, [])
    assert validate("بلی زنگ بزنید", "affirm", 0.98, True) == ({"callback_consent": True}, [])
    assert validate("na", "deny", 0.91, False) == ({"callback_consent": False}, [])
    # "I don't know, what difference does it make", read as yes at 0.44: asked again.
    slots, messages = validate("نمیدانم والله، چی فرق میکنه", "affirm", 0.44, True)
    assert slots == {"callback_consent": None}
    assert said(messages) == ["yes_or_no_unclear"]
    assert identify(messages[0])[1] == "prs"


def test_a_report_from_a_button_is_filed_without_a_description(
    services: Any, api: ApiServer
) -> None:
    sender = pseudonym()
    tracker = make_tracker(sender, text="/report_exploitation", intent="report_exploitation")
    _, messages = run(ActionReportSensitive(), tracker)
    assert said(messages) == ["protection_received", "offer_human"]


def test_form_questions_in_the_persons_language(services: Any) -> None:
    cases = [
        (ActionAskCaseDescription(), {"case_kind": "complaint"}, "ask_case_description"),
        (ActionAskCaseDescription(), {"case_kind": "feedback"}, "ask_feedback_description"),
        (ActionAskCaseProvince(), {}, "ask_case_province"),
        (ActionAskCallbackConsent(), {}, "ask_callback_consent"),
        (ActionAskCaseReference(), {}, "ask_case_reference"),
    ]
    for action, slots, key in cases:
        for language in ("fa", "prs"):
            events, messages = run(action, make_tracker(slots={"language": language, **slots}))
            assert events == []
            assert said(messages) == [key]
            assert identify(messages[0])[1] == language


def test_form_question_buttons(services: Any) -> None:
    _, skip = run(ActionAskCaseProvince(), make_tracker(slots={"language": "prs"}))
    assert skip[0]["buttons"] == [{"title": "تیر شو", "payload": "/deny"}]
    _, consent = run(ActionAskCallbackConsent(), make_tracker())
    assert [b["payload"] for b in consent[0]["buttons"]] == [
        "/affirm",
        "/deny",
        '/affirm{"operator_gender": "female"}',
    ]


def test_default_fallback_says_so_and_forgets_the_message(services: Any) -> None:
    events, messages = run(ActionDefaultFallback(), make_tracker(slots={"language": "prs"}))
    assert said(messages) == ["default"]
    assert identify(messages[0])[1] == "prs"
    assert messages[0]["buttons"] == [
        {"title": "فهرست", "payload": "/help"},
        {"title": "گپ با همکار", "payload": "/request_human"},
    ]
    assert [event["event"] for event in events] == ["rewind"]
