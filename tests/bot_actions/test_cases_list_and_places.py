"""Closing the loop without the code (the list of open cases), and the service
directory by province."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.cases import ActionSubmitCase
from actions.places import ActionAskProvince, ActionServicePoints, ValidateServicePointsForm
from actions.status import ActionListMyCases
from persian_text import sms
from tests.bot_actions.apiserver import ApiServer
from tests.bot_actions.conftest import filled, make_tracker, pseudonym, run, said


def file_complaints(sender: str, count: int) -> list[str]:
    """`count` complaints of one person (each form filled anew): their references."""
    references = []
    for n in range(count):
        started = {"event": "active_loop", "name": "feedback_form", "timestamp": 1_699_990_000 + n}
        slots = {
            "case_kind": "complaint",
            "case_description": "صف دفتر خیلی طولانی بود و کسی جواب نداد",
            "callback_consent": False,
        }
        _, messages = run(ActionSubmitCase(), make_tracker(sender, slots=slots, events=[started]))
        references.append(filled(messages[0])["reference"])
    return references


def test_my_open_cases_in_my_language_without_the_code(services: Any, api: ApiServer) -> None:
    sender = pseudonym()
    references = file_complaints(sender, 2)
    tracker = make_tracker(sender, intent="list_my_cases", slots={"language": "prs"})
    _, [message] = run(ActionListMyCases(), tracker)
    lines = message["text"].split("\n")
    assert lines[0] == "دوسیه‌های باز تان (2):"
    assert sorted(line.split(" ")[0] for line in lines[1:]) == sorted(references)
    assert all(line.endswith(" شکایت: ثبت شده و در نوبت بررسی است") for line in lines[1:])


def test_no_open_case(services: Any) -> None:
    _, messages = run(ActionListMyCases(), make_tracker(intent="list_my_cases"))
    assert said(messages) == ["no_open_cases"]


def test_a_long_list_fits_one_sms_message_and_counts_the_rest(
    services: Any, api: ApiServer
) -> None:
    sender = pseudonym()
    file_complaints(sender, 7)
    _, [message] = run(ActionListMyCases(), make_tracker(sender, slots={"channel": "sms"}))
    assert sms.fits(message["text"])
    shown = message["text"].count("\n") - 1  # the header and the "and N more" line
    assert 0 < shown < 7
    assert message["text"].endswith(
        services.knowledge.message("more_cases", "fa", count=7 - shown).text
    )


def test_the_list_when_the_service_is_down(configure: Any, tmp_path: Any) -> None:
    from tests.bot_actions.apiserver import free_port

    configure(SimpleNamespace(url=f"http://127.0.0.1:{free_port()}", token="x"))
    _, messages = run(ActionListMyCases(), make_tracker(intent="list_my_cases"))
    assert said(messages) == ["api_unavailable"]


def _validate(typed: str, attempts: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        slots={"province_attempts": attempts}, active_loop="service_points_form", text=typed
    )
    form = ValidateServicePointsForm()
    return asyncio.run(form.validate_province(typed, dispatcher, tracker, {})), dispatcher.messages


def test_the_province_is_read_from_what_the_person_writes(services: Any) -> None:
    assert _validate("در مشهد هستم")[0] == {"province": "Razavi Khorasan"}
    result, messages = _validate("نمی‌دانم")
    assert result == {"province": None, "province_attempts": 1}
    assert said(messages) == ["province_not_understood"]
    tracker = make_tracker(slots={"province_attempts": 2}, active_loop="service_points_form")
    required = asyncio.run(
        ValidateServicePointsForm().required_slots(
            ["province"], CollectingDispatcher(), tracker, {}
        )
    )
    assert required == []  # no one is asked forever


def test_the_question_offers_the_provinces_we_have(services: Any) -> None:
    _, [message] = run(ActionAskProvince(), make_tracker(slots={"language": "prs"}))
    assert said([message]) == ["ask_province"]
    titles = [b["title"] for b in message["buttons"]]
    assert {"تهران", "خراسان رضوی", "اصفهان", "کرمان", "فارس"} <= set(titles)
    assert message["buttons"][0]["payload"] == '/ask_service_points{"province": "Tehran"}'


def test_the_service_points_of_a_province(services: Any) -> None:
    tracker = make_tracker(slots={"province": "Tehran", "language": "prs", "channel": "sms"})
    _, messages = run(ActionServicePoints(), tracker)
    text = "\n".join(m["text"] for m in messages)
    assert text.startswith("مراکز خدمات در تهران (* یعنی تأیید نشده")
    assert "- *دفتر UNHCR تهران: " in text and "+98 21 8821 2520" in text
    assert text.count("\n- *") == 3
    assert all(sms.fits(m["text"]) for m in messages)


def test_a_province_without_entries_or_none_at_all(services: Any) -> None:
    _, messages = run(ActionServicePoints(), make_tracker(slots={"province": "Ilam"}))
    assert said(messages) == ["no_service_points"]
    _, messages = run(ActionServicePoints(), make_tracker(slots={"province": None}))
    assert said(messages) == ["no_province"]
    assert "تهران" in messages[0]["text"]
