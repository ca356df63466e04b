"""The whole system through its channels: real service, actions and Rasa; stub providers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import subprocess
import time
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import text

from tests.channels.factories import android_sms, sms_form, tg_callback, tg_text
from tests.e2e.conftest import ROOT, SERVICE_PYTHON, System, wait_for

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


def _complain_by_sms(
    system: System, number: str, send: Callable[[str, int], None], sent: Callable[[], list[str]]
) -> None:
    """A complaint in Farsi by SMS, answered turn by turn, ends with a case and its reference."""
    system.identifiers.update({number, number[1:], number[3:]})
    description = "در توزیع کمک غذایی به ما چیزی ندادند و با ما بدرفتاری کردند"
    with system.db.connect() as conn:
        before = conn.execute(text("SELECT coalesce(max(id), 0) FROM cases")).scalar_one()
    message = "سلام"
    seen = 0
    case = None
    for step in range(10):
        send(message, step)
        wait_for(lambda n=seen: len(sent()) > n, timeout=60, what="sms reply")
        replies = _settle(sent, 3.0)[seen:]
        seen += len(replies)
        with system.db.connect() as conn:
            case = conn.execute(
                text(
                    "SELECT reference, category, province, channel, language FROM cases "
                    "WHERE channel = 'sms' AND id > :before ORDER BY id DESC"
                ),
                {"before": before},
            ).first()
        if case is not None:
            break
        message = _answer(replies[-1], description)
    assert case is not None, "no case after the conversation"
    reference, category, province, channel, language = case
    assert (channel, language, province) == ("sms", "fa", "Tehran")
    # "They gave us nothing at the distribution": a denial of assistance, a major complaint.
    assert category == "CMJ"
    from case_reference import display

    wait_for(
        lambda: any(display(reference) in body or reference in body for body in sent()),
        timeout=30,
        what="the reference by SMS",
    )


def test_sms_complaint_in_farsi_ends_with_a_case_and_its_reference(system: System) -> None:
    number = "+989121110001"

    def send(message: str, step: int) -> None:
        sid = f"SM{step:04d}{'f' * 28}"
        assert system.sms(sms_form(number, message, sid=sid)).status_code == 200

    _complain_by_sms(system, number, send, lambda: [m["Body"] for m in system.sent_sms(number)])


def test_android_sms_signed_answered_forged_refused_complaint_gets_a_reference(
    system: System,
) -> None:
    number = "+989121110002"
    forged = system.android_sms(android_sms("09121110002", "سلام"), key="not-the-key")
    assert forged.status_code == 403

    def send(message: str, step: int) -> None:
        # As the phone shows the number: 09..., one person with +989...
        body = android_sms("09121110002", message, event_id=f"ev-e2e-{step}")
        assert system.android_sms(body).status_code == 200

    def sent() -> list[str]:
        return [m["textMessage"]["text"] for m in system.sent_android(number)]

    _complain_by_sms(system, number, send, sent)
    assert system.android.calls("/messages")[0]["auth"].startswith("Basic ")
    assert system.sent_sms(number) == []  # nothing through Twilio


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


def _staff_token(system: System, role: str) -> str:
    """A user of `role`, made with the CLI as a deployer would, and a bearer token for it."""
    name, password = f"{role}-e2e", "a long e2e password"
    subprocess.run(
        [str(SERVICE_PYTHON), "-m", "feedback_api", "users", "create", name, "--role", role],
        input=password.encode(),
        env=system.env,
        cwd=ROOT,
        capture_output=True,
        check=False,  # already made by an earlier test
    )
    answer = httpx.post(
        f"{system.service_url}/api/v1/auth/token",
        data={"username": name, "password": password},
        timeout=10,
    )
    return str(answer.json()["access_token"])


def test_a_disclosure_reaches_only_its_focal_point_and_yes_brings_a_person(
    system: System,
) -> None:
    chat = 710000003
    system.identifiers.add(str(chat))
    text_in = "سلام. مسئول ثبت نام گفت اگر یک شب پیشش بمانم اسمم را در لیست کمک نقدی می‌نویسد"
    system.telegram(tg_text(chat, text_in))
    _new(system, chat, 0)
    replies = _settle(lambda: system.sent_telegram(chat))
    said = " ".join(m.get("text", "") for m in replies)
    assert "?" not in said.replace("صحبت کنید؟", "") and "؟" not in said.replace(
        "صحبت کنید؟", ""
    ), said  # no question but the offer of a person
    with system.db.connect() as conn:
        reference, category = conn.execute(
            text("SELECT reference, category FROM cases ORDER BY id DESC")
        ).first()  # type: ignore[misc]
    assert category == "SEA"
    for role, status in (("psea_focal_point", 200), ("operator", 404), ("cfm_manager", 404)):
        answer = httpx.get(
            f"{system.service_url}/api/v1/cases/{reference}",
            headers={"Authorization": f"Bearer {_staff_token(system, role)}"},
            timeout=10,
        )
        assert answer.status_code == status, role
    # The assistant never saw the words.
    with sqlite3.connect(system.tracker_db) as conn:
        assert not conn.execute(
            "SELECT count(*) FROM events WHERE data LIKE ?", ("%یک شب پیشش%",)
        ).fetchone()[0]

    seen = len(replies)
    system.telegram(tg_text(chat, "بلی"))
    _new(system, chat, seen)
    with system.db.connect() as conn:
        linked = conn.execute(
            text(
                "SELECT c.reference FROM handoffs h JOIN cases c ON c.id = h.case_id "
                "ORDER BY h.id DESC"
            )
        ).scalar()
    assert linked == reference  # the chat goes to the focal point, no one else


def _pseudonym(system: System, scheme: str, address: str) -> str:
    """The contact pseudonym (Rasa's sender id), as the service computes it."""
    key = system.env["PSEUDONYM_KEY"].encode()
    digest = hmac.new(key, f"{scheme}:{address}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:16]).decode().rstrip("=").lower()


def _rasa_texts(system: System, sender: str) -> list[str]:
    """Every user text Rasa keeps for a sender: its HTTP API and its SQL store."""
    params = {"token": system.env["RASA_API_TOKEN"]} if system.env.get("RASA_API_TOKEN") else {}
    tracker = httpx.get(
        f"http://127.0.0.1:{system.rasa_port}/conversations/{sender}/tracker",
        params=params,
        timeout=10,
    ).json()
    texts = [e.get("text") or "" for e in tracker.get("events", []) if e.get("event") == "user"]
    with sqlite3.connect(system.tracker_db) as conn:
        rows = conn.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    return texts + [json.loads(data).get("text") or "" for (data,) in rows]


def test_deleting_my_data_leaves_no_text_in_rasa(system: System) -> None:
    chat = 710000004
    system.identifiers.add(str(chat))
    sender = _pseudonym(system, "tg", str(chat))
    seen = 0
    for message in ("/start", "کمک نقدی چطور بگیرم؟", "اطلاعات من را پاک کنید", "بله"):
        system.telegram(tg_text(chat, message))
        _new(system, chat, seen)
        seen = len(_settle(lambda: system.sent_telegram(chat)))
        if message == "کمک نقدی چطور بگیرم؟":
            assert "کمک نقدی چطور بگیرم؟" in _rasa_texts(system, sender)
    assert "پاک شد" in system.sent_telegram(chat)[-1]["text"]
    wait_for(lambda: _rasa_texts(system, sender) == [], timeout=30, what="Rasa forgets")


def test_zz_tracker_store_holds_no_phone_number_or_telegram_id(system: System) -> None:
    assert system.tracker_db.exists()
    with sqlite3.connect(system.tracker_db) as conn:
        rows = conn.execute("SELECT sender_id, data FROM events").fetchall()
    assert rows
    blob = "\n".join(f"{sender} {data}" for sender, data in rows)
    for identifier in system.identifiers:
        assert identifier not in blob, identifier
