"""Segments, splitting, menus, and the gateway's own texts."""

from __future__ import annotations

import pytest

from channels import render, texts


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count 2
        ("€" * 81, "GSM-7", 2),
        ("[" + "a" * 159, "GSM-7", 2),
        ("س" * 70, "UCS-2", 1),
        ("س" * 71, "UCS-2", 2),
        ("س" * 134, "UCS-2", 2),
        ("س" * 135, "UCS-2", 3),
        ("a" * 69 + "\u200c", "UCS-2", 1),  # one ZWNJ switches the message to UCS-2
        ("😀" * 35, "UCS-2", 1),  # outside the BMP: 2 units each
        ("😀" * 36, "UCS-2", 2),
        ("", "GSM-7", 1),
    ],
)
def test_segment_counting(text: str, encoding: str, segments: int) -> None:
    info = render.sms_info(text)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_split_sms_at_word_boundaries() -> None:
    words = ["سلام"] * 60
    text = " ".join(words)
    parts = render.split_sms(text)
    assert len(parts) == render.count_segments(text)
    assert all(render.sms_info(p).units <= 67 for p in parts)
    assert " ".join(parts).split() == words  # no word cut


def test_split_telegram() -> None:
    text = "\n".join(["x" * 100] * 100)
    parts = render.split_telegram(text)
    assert all(len(p) <= 4096 for p in parts) and "".join(parts).replace("\n", "") == "x" * 10000
    assert render.split_telegram("short") == ["short"]
    assert all(len(p) <= 4096 for p in render.split_telegram("y" * 9000))


def test_menu_and_choice() -> None:
    buttons = [{"title": "دری", "payload": "/a"}, {"title": "فارسی", "payload": "/b"}]
    assert render.sms_menu("زبان:", buttons, "prs") == "زبان:\n۱. دری\n۲. فارسی"
    for reply in ("1", "۱", "١", " 1. "):
        assert render.menu_choice(reply, buttons) == "/a"
    assert render.menu_choice("3", buttons) is None
    assert render.menu_choice("1 2", buttons) is None
    assert render.menu_choice("1", None) is None


def test_callback_keys() -> None:
    assert render.fits_callback("/affirm")
    long = "/x" + "ی" * 40
    assert not render.fits_callback(long)
    key = render.callback_key(long)
    assert key == render.callback_key(long) and len(key.encode()) <= 64


def test_a_reply_over_three_segments_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert render.check_sms_length("س" * 300, source="test") == 5
    assert "content too long" in caplog.text


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_every_gateway_text_fits_three_segments(language: str) -> None:
    worst = {"reference": "AAP-2026-ABCD-EFGH-K", "status": "در حال بررسی توسط همکار مسئول"}
    for key in texts.sentence_keys():
        sentence = (
            texts.text(key, language, **worst)
            if "{" in texts.catalogue(language)[key]
            else texts.text(key, language)
        )
        assert render.count_segments(sentence) <= 3, (language, key)
    question = texts.text("satisfaction_question", language)
    buttons = [
        {"title": t, "payload": "x"} for t in texts.options("satisfaction_options", language)
    ]
    assert render.count_segments(render.sms_menu(question, buttons, language)) <= 3


def test_both_languages_have_the_same_sentences_and_dari_words() -> None:
    assert texts.catalogue("fa").keys() == texts.catalogue("prs").keys()
    dari = " ".join(str(v) for v in texts.catalogue("prs").values())
    assert "نمبر" in dari and "تشکر" in dari
    farsi = " ".join(str(v) for v in texts.catalogue("fa").values())
    assert "نمبر" not in farsi
