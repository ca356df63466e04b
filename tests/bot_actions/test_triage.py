"""Conversation -> taxonomy codes."""

from __future__ import annotations

import pytest

from actions.triage import Classification, classify


@pytest.mark.parametrize(
    ("intent", "text", "last_topic", "expected"),
    [
        ("file_complaint", "کارمند با من بد رفتار کرد", None, ("complaint", "CMN", "GEN")),
        ("file_complaint", "صف خیلی طولانی بود", "HLT", ("complaint", "CMN", "HLT")),
        ("file_complaint", "مرا از لیست کمک حذف کردند", "CSH", ("complaint", "CMJ", "CSH")),
        ("file_complaint", "برای ثبت نام از من پول خواستند", "CSH", ("complaint", "FRD", "CSH")),
        ("give_feedback", "بهتر است ساعت کاری بیشتر باشد", None, ("feedback", "SUG", "GEN")),
        ("give_feedback", "تشکر از کمک شما خیلی خوب بود", "SHL", ("feedback", "APP", "SHL")),
        ("give_feedback", "این ربات جواب درست نمی‌دهد", "HLT", ("feedback", "CFM", "CFX")),
        ("report_misconduct", "کارمند توهین کرد", None, ("report", "MIS", "GEN")),
        ("report_misconduct", "برای کمک از من پیسه خواست", "CSH", ("report", "FRD", "CSH")),
        ("report_misconduct", "گفت اگر با او بخوابم کمک می‌گیرم", None, ("report", "SEA", "PRT")),
        ("file_complaint", "از من درخواست رابطه جنسی کرد", None, ("report", "SEA", "PRT")),
        ("report_misconduct", "کارمند ازم درخواست رابطه کرد", None, ("report", "SEA", "PRT")),
        ("report_misconduct", "کارمند موسسه از مه رابطه خواست", "CSH", ("report", "SEA", "PRT")),
        ("report_exploitation", "کارفرما پاسپورتم را گرفته", None, ("report", "SAF", "PRT")),
        ("need_protection", "شوهرم مرا می‌زند", "HLT", ("request", "SAF", "PRT")),
    ],
)
def test_classify(intent: str, text: str, last_topic: str | None, expected: tuple) -> None:
    assert classify(intent, text, last_topic) == Classification(*expected)


def test_a_request_for_help_is_not_a_bribe() -> None:
    # "درخواست" contains "خواست"; money words alone are not a demand.
    assert (
        classify("file_complaint", "درخواست کمک پول دادم ولی جواب ندادند", None).category != "FRD"
    )
