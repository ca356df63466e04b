"""Conversation -> taxonomy codes of the ordinary categories (disclosures: the service)."""

from __future__ import annotations

import pytest

from actions.triage import Classification, classify


@pytest.mark.parametrize(
    ("intent", "text", "last_topic", "expected"),
    [
        ("file_complaint", "کارمند با من بد رفتار کرد", None, ("complaint", "CMN", "GEN")),
        ("file_complaint", "صف خیلی طولانی بود", "HLT", ("complaint", "CMN", "HLT")),
        ("file_complaint", "مرا از لیست کمک حذف کردند", "CSH", ("complaint", "CMJ", "CSH")),
        ("give_feedback", "بهتر است ساعت کاری بیشتر باشد", None, ("feedback", "SUG", "GEN")),
        ("give_feedback", "تشکر از کمک شما خیلی خوب بود", "SHL", ("feedback", "APP", "SHL")),
        ("give_feedback", "این ربات جواب درست نمی‌دهد", "HLT", ("feedback", "CFM", "CFX")),
        # A sensitive intent gives its default; the service's triage reads the words.
        ("report_misconduct", "کارمند توهین کرد", None, ("report", "MIS", "GEN")),
        ("report_misconduct", "گفت اگر با او بخوابم کمک می‌گیرم", "CSH", ("report", "MIS", "CSH")),
        ("report_exploitation", "کارفرما پاسپورتم را گرفته", None, ("report", "SAF", "PRT")),
        ("need_protection", "شوهرم مرا می‌زند", "HLT", ("request", "SAF", "PRT")),
    ],
)
def test_classify(intent: str, text: str, last_topic: str | None, expected: tuple) -> None:
    assert classify(intent, text, last_topic) == Classification(*expected)
