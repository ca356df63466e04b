"""SMS arithmetic: segments per encoding, splitting, numbered menus."""

from __future__ import annotations

import pytest

from persian_text import sms

# (text, encoding, segments): also fed to the console's counter in tests/browser.
CASES = [
    ("", "GSM-7", 0),
    ("a" * 160, "GSM-7", 1),
    ("a" * 161, "GSM-7", 2),
    ("a" * 306, "GSM-7", 2),
    ("a" * 307, "GSM-7", 3),
    ("€" * 80, "GSM-7", 1),  # extension characters count 2
    ("€" * 81, "GSM-7", 2),
    ("[" + "a" * 159, "GSM-7", 2),
    ("\x1b" + "a", "UCS-2", 1),  # the escape code is not a character one can send
    ("س" * 70, "UCS-2", 1),
    ("س" * 71, "UCS-2", 2),
    ("س" * 134, "UCS-2", 2),
    ("س" * 135, "UCS-2", 3),
    ("a" * 69 + "\u200c", "UCS-2", 1),  # one ZWNJ switches the message to UCS-2
    ("😀" * 35, "UCS-2", 1),  # outside the BMP: 2 units each
    ("😀" * 36, "UCS-2", 2),
    ("a" * 69 + "😀", "UCS-2", 2),
    ("شماره پیگیری شما: AAP-2026-ABCD. خدمات IOM رایگان است.", "UCS-2", 1),
]


@pytest.mark.parametrize(("text", "encoding", "segments"), CASES)
def test_segment_counting(text: str, encoding: str, segments: int) -> None:
    info = sms.measure(text)
    assert (info.encoding, info.segments) == (encoding, segments)


def test_split_at_word_boundaries() -> None:
    words = ["سلام"] * 60
    text = " ".join(words)
    parts = sms.split(text)
    assert len(parts) == sms.segments(text) == 5  # 299 units, 67 a part
    assert all(sms.measure(p).units <= 67 for p in parts)
    assert " ".join(parts).split() == words  # no word cut


def test_numbered_menu() -> None:
    persian = "۰۱۲۳۴۵۶۷۸۹"
    assert sms.numbered_menu("زبان:", ["دری", "فارسی"], persian) == "زبان:\n۱. دری\n۲. فارسی"
    assert sms.numbered_menu("", ["a"]) == "1. a"


def test_capacity_follows_the_alphabet() -> None:
    assert sms.capacity("ucs2") == 70 and sms.capacity("gsm7") == 160
    assert sms.capacity("ucs2", 3) == 201 and sms.capacity("gsm7", 2) == 306
