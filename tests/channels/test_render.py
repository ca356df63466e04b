"""Telegram chunks, SMS menus, and the gateway's own texts."""

from __future__ import annotations

import pytest

from channels import render, texts
from persian_text import sms


def test_split_telegram() -> None:
    text = "\n".join(["x" * 100] * 100)
    parts = render.split_telegram(text)
    assert all(len(p) <= 4096 for p in parts) and "".join(parts).replace("\n", "") == "x" * 10000
    assert render.split_telegram("short") == ["short"]
    assert all(len(p) <= 4096 for p in render.split_telegram("y" * 9000))


def test_menu_and_choice() -> None:
    buttons = [{"title": "دری", "payload": "/a"}, {"title": "فارسی", "payload": "/b"}]
    menu = render.sms_menu("زبان:", buttons, "prs")
    assert menu == "زبان:\n۱. دری\n۲. فارسی"
    assert render.sms_menu("مرکز: https://iom.int/x", [], "fa") == "مرکز:"
    for reply in ("1", "۱", "١", " 1. "):
        assert render.menu_choice(reply, buttons) == "/a"
    assert render.menu_choice("3", buttons) is None
    assert render.menu_choice("1 2", buttons) is None
    assert render.menu_choice("1", None) is None
    # The title typed out, as people do on SMS, in any spelling of its letters and spaces.
    consent = [
        {"title": "بلی", "payload": "/affirm"},
        {"title": "نخیر", "payload": "/deny"},
        {"title": "بلی، همکار خانم", "payload": "/affirm_female"},
    ]
    assert render.menu_choice("نخير", consent) == "/deny"
    assert render.menu_choice(" بلی! ", consent) == "/affirm"
    assert render.menu_choice("بلی،همکار خانم", consent) == "/affirm_female"
    assert render.menu_choice("بلی زنگ بزنید", consent) is None
    assert render.menu_choice("", consent) is None


def test_callback_keys() -> None:
    assert render.fits_callback("/affirm")
    long = "/x" + "ی" * 40
    assert not render.fits_callback(long)
    key = render.callback_key(long)
    assert key == render.callback_key(long) and len(key.encode()) <= 64


def test_a_reply_over_three_segments_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert render.check_sms_length("س" * 300, source="test") == 5
    assert "content too long" in caplog.text


@pytest.mark.parametrize("language", ["fa", "prs"])
def test_every_gateway_text_fits_three_segments(language: str) -> None:
    worst = {"reference": "AAP-2026-ABCD-EFGH-K", "status": "در حال بررسی توسط همکار مسئول"}
    for key in texts.messages():
        sentence = texts.text(key, language, **worst)
        assert sms.segments(sentence) <= 3, (language, key)
    question = texts.text("satisfaction_question", language)
    buttons = [
        {"title": t, "payload": "x"} for t in texts.options("satisfaction_options", language)
    ]
    assert len(buttons) == 5
    assert sms.segments(render.sms_menu(question, buttons, language)) <= 3


def test_dari_sentences_use_dari_words() -> None:
    dari = " ".join(texts.text(key, "prs") for key in texts.messages())
    assert "نمبر" in dari and "تشکر" in dari
    farsi = " ".join(texts.text(key, "fa") for key in texts.messages())
    assert "نمبر" not in farsi
