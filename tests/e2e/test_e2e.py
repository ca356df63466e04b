"""The whole system through its channels: real service, actions and Rasa; stub providers."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest
from sqlalchemy import text

from tests.channels.factories import sms_form, tg_callback, tg_text
from tests.e2e.conftest import System, wait_for

pytestmark = pytest.mark.e2e

FA_ACK = "پیام شما رسید"
PRS_ACK = "پیام تان رسید"


def _buttons(message: dict) -> list[dict]:
    markup = message.get("reply_markup")
    if not markup:
        return []
    data = json.loads(markup) if isinstance(markup, str) else markup
    return [b for row in data.get("inline_keyboard", []) for b in row]


def _new(system: System, chat_id: int, seen: int, timeout: float = 60) -> list[dict]:
    return wait_for(
        lambda: system.sent_telegram(chat_id)[seen:] or None,
        timeout=timeout,
        what=f"telegram reply after {seen}",
    )


def _settle(get, seconds: float = 2.5) -> list:
    """Wait until no new message arrived for `seconds`."""
    last, stable_since = len(get()), time.monotonic()
    while time.monotonic() - stable_since < seconds:
        time.sleep(0.3)
        now = len(get())
        if now != last:
            last, stable_since = now, time.monotonic()
    return get()


def test_telegram_start_choose_dari_ask_about_health(system: System) -> None:
    chat = 710000001
    system.identifiers.add(str(chat))
    assert system.telegram(tg_text(chat, "/start")).status_code == 200
    _new(system, chat, 0)
    sent = _settle(lambda: system.sent_telegram(chat))
    dari = next(b for m in sent for b in _buttons(m) if b["text"] == "دری")
    seen = len(sent)
    system.telegram(tg_callback(chat, dari["callback_data"]))
    _new(system, chat, seen)
    assert system.tg.calls("answerCallbackQuery")
    seen = len(_settle(lambda: system.sent_telegram(chat)))
    system.telegram(tg_text(chat, "بیمه صحی چطور بگیرم؟"))
    _new(system, chat, seen)
    answers = _settle(lambda: system.sent_telegram(chat))[seen:]
    assert any("صحی" in m.get("text", "") for m in answers), answers


def _reply_to_menu(body: str, prefer: list[str]) -> str | None:
    lines = [line for line in body.splitlines() if ". " in line[:4]]
    for wanted in prefer:
        for line in lines:
            number, _, title = line.partition(". ")
            if wanted in title:
                return number
    return None


def _answer(body: str, description: str) -> str:
    """What a person filing a complaint in Farsi answers to the bot's last SMS."""
    language = _reply_to_menu(body, ["فارسی"])
    if language:
        return language
    if "چه اتفاقی افتاده" in body:
        return description
    if "کدام استان" in body:
        return "تهران"
    if "تماس بگیرد" in body:
        return "نه"
    return "می‌خواهم شکایت کنم"


def test_sms_complaint_in_farsi_ends_with_a_case_and_its_reference(system: System) -> None:
    number = "+989121110001"
    system.identifiers.update({number, number[1:], number[3:]})
    description = "در توزیع کمک غذایی به ما چیزی ندادند و با ما بدرفتاری کردند"
    message = "سلام"
    seen = 0
    case = None
    for step in range(10):
        sid = f"SM{step:04d}{'f' * 28}"
        assert system.sms(sms_form(number, message, sid=sid)).status_code == 200
        wait_for(lambda n=seen: len(system.sent_sms(number)) > n, timeout=60, what="sms reply")
        replies = _settle(lambda: system.sent_sms(number), 3.0)[seen:]
        seen += len(replies)
        with system.db.connect() as conn:
            case = conn.execute(
                text(
                    "SELECT reference, category, province, channel, language FROM cases "
                    "WHERE channel = 'sms' ORDER BY id DESC"
                )
            ).first()
        if case is not None:
            break
        message = _answer(replies[-1]["Body"], description)
    assert case is not None, "no case after the conversation"
    reference, category, province, channel, language = case
    assert (channel, language, province) == ("sms", "fa", "Tehran")
    # "They gave us nothing at the distribution": a denial of assistance, a major complaint.
    assert category == "CMJ"
    from case_reference import display

    wait_for(
        lambda: any(
            display(reference) in m["Body"] or reference in m["Body"]
            for m in system.sent_sms(number)
        ),
        timeout=30,
        what="the reference by SMS",
    )


def test_rasa_down_one_acknowledgement_then_the_answer(system: System) -> None:
    chat = 710000002
    system.identifiers.add(str(chat))
    system.telegram(tg_text(chat, "/start"))
    _new(system, chat, 0)
    seen = len(_settle(lambda: system.sent_telegram(chat)))
    system.stop("rasa")
    try:
        system.telegram(tg_text(chat, "سلام"))
        system.telegram(tg_text(chat, "بیمه سلامت چطور بگیرم؟"))
        acks = _new(system, chat, seen, timeout=40)
        time.sleep(5)
        after = system.sent_telegram(chat)[seen:]
        assert len(after) == 1 and FA_ACK in after[0]["text"], after
        with system.db.connect() as conn:
            pending = conn.execute(
                text("SELECT count(*) FROM channel_inbound WHERE status = 'pending'")
            ).scalar_one()
        assert pending == 2
        assert acks
    finally:
        system.start("rasa")
        system.wait_rasa()
    wait_for(lambda: len(system.sent_telegram(chat)) >= seen + 3, timeout=90, what="answers")
    with system.db.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM channel_inbound WHERE status = 'pending'")
            ).scalar_one()
            == 0
        )


def test_zz_tracker_store_holds_no_phone_number_or_telegram_id(system: System) -> None:
    assert system.tracker_db.exists()
    with sqlite3.connect(system.tracker_db) as conn:
        rows = conn.execute("SELECT sender_id, data FROM events").fetchall()
    assert rows
    blob = "\n".join(f"{sender} {data}" for sender, data in rows)
    for identifier in system.identifiers:
        assert identifier not in blob, identifier
