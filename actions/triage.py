"""Map a conversation to the taxonomy (type, category, topic) for the ordinary categories.

Category codes come from feedback_api/taxonomy/taxonomy.yml. Disclosures (SEA,
CSG, SAF, FRD, MIS) are not decided here: the service's disclosure triage reads
every message and every description (feedback_api/safeguarding), and moves a case
it files to the category the text discloses. Here, a sensitive intent gives only
its default (MIS, SAF), and the keyword lists pick the ordinary category of a
complaint (CMJ for exclusion) or of feedback (APP, CFM, SUG).
"""

from __future__ import annotations

from dataclasses import dataclass

from persian_text import matching_key

_EXCLUSION = (
    "محروم",
    "حذف",
    "رد کردند",
    "ردم کردند",
    "قبول نکردند",
    "ثبت نکردند",
    "ندادند",
    "نمیدهند",
    "نمی دهند",
    "نمی‌دهند",
    "راه ندادند",
    "تبعیض",
    "انتخاب نشدم",
    "لیست نبود",
    "exclude",
    "mahroom",
    "rad kardan",
)
_THANKS = (
    "ممنون",
    "متشکر",
    "مرسی",
    "تشکر",
    "سپاس",
    "دست شما درد نکند",
    "دستتان درد نکند",
    "عالی",
    "خوب بود",
    "راضی",
    "mamnun",
    "mamnoon",
    "merci",
    "tashakor",
    "mersi",
)
_ABOUT_BOT = (
    "ربات",
    "این سرویس",
    "این برنامه",
    "پیامک",
    "جواب نمیده",
    "جواب نمی دهد",
    "robot",
    "bot",
)


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    key = matching_key(text)
    return any(matching_key(word) in key for word in words)


@dataclass(frozen=True)
class Classification:
    type: str
    category: str
    topic: str


def classify(intent: str, text: str, last_topic: str | None) -> Classification:
    """The taxonomy codes of a case filed from `intent` with description `text`."""
    topic = last_topic or "GEN"
    if intent == "report_misconduct":
        return Classification("report", "MIS", topic)
    if intent == "report_exploitation":
        return Classification("report", "SAF", "PRT")
    if intent == "need_protection":
        return Classification("request", "SAF", "PRT")
    if intent == "give_feedback":
        if _mentions(text, _ABOUT_BOT):
            return Classification("feedback", "CFM", "CFX")
        if _mentions(text, _THANKS):
            return Classification("feedback", "APP", topic)
        return Classification("feedback", "SUG", topic)
    if _mentions(text, _EXCLUSION):
        return Classification("complaint", "CMJ", topic)
    return Classification("complaint", "CMN", topic)
