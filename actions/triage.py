"""Map a conversation to the taxonomy (type, category, topic).

Category codes come from feedback_api/taxonomy/taxonomy.yml. The keyword
lists only raise a case to a more serious category (SEA, FRD, CMJ) or pick a
feedback sub-category; they are matched on normalised text in Farsi, Dari and
Finglish, and err on the side of the more protective category.
"""

from __future__ import annotations

from dataclasses import dataclass

from persian_text import matching_key

# Intent of an ask_* question -> taxonomy topic; also the knowledge file key.
TOPIC_OF_INTENT = {
    "ask_cash_assistance": "CSH",
    "ask_shelter": "SHL",
    "ask_health": "HLT",
    "ask_mhpss": "MHP",
    "ask_wash": "WSH",
    "ask_livelihoods": "LIV",
    "ask_documentation": "DOC",
    "ask_labour_migration": "LAB",
}

_SEXUAL = (
    "جنسی",
    "سکس",
    "تجاوز",
    "دست درازی",
    "بخوابم",
    "بخوابی",
    "همخوابی",
    "ازدواج موقت",
    "صیغه",
    # "asked me for a relationship": how people often put it, without the word sex.
    "درخواست رابطه",
    "رابطه خواست",
    "رابطه بخواهد",
    "رابطه می‌خواست",
    "sex",
    "jensi",
    "tajavoz",
    "sigheh",
)
_MONEY = (
    "پول",
    "پیسه",
    "رشوه",
    "رشوت",
    "تومان",
    "ریال",
    "کمیسیون",
    "شیرینی",
    "بپردازم",
    "pool",
    "paisa",
    "paise",
    "money",
    "rashveh",
)
# In a complaint, money alone is common ("the cash came late"): only a demand counts.
_BRIBE = (
    "رشوه",
    "رشوت",
    "پول خواست",
    "پیسه خواست",
    "پول گرفت",
    "پیسه گرفت",
    "پول بدهم",
    "پیسه بدهم",
    "پول بدم",
    "شیرینی خواست",
    "rashveh",
    "pool khast",
    "paisa khast",
)
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
    # A sexual-abuse or bribe signal outranks whatever path the person took.
    if intent in ("report_misconduct", "file_complaint") and _mentions(text, _SEXUAL):
        return Classification("report", "SEA", "PRT")
    if intent == "report_misconduct":
        category = "FRD" if _mentions(text, _MONEY) else "MIS"
        return Classification("report", category, topic)
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
    if _mentions(text, _BRIBE):
        return Classification("complaint", "FRD", topic)
    if _mentions(text, _EXCLUSION):
        return Classification("complaint", "CMJ", topic)
    return Classification("complaint", "CMN", topic)
