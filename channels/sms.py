"""What every SMS route shares: the opt-out and opt-in keywords, and SMS-safe text.

Opting out takes an explicit STOP word: "لغو" (cancel) and "کمک" (help) are words a
person uses in a conversation (cancel a complaint, see the menu), so the assistant gets
them. Iranian networks filter messages with links, and SMS is read by the operator and
the panel provider: links are taken out of every SMS.
"""

from __future__ import annotations

import re

from channels.providers.base import Keywords
from persian_text import normalize

SMS_KEYWORDS = Keywords(
    stop=frozenset({"stop", "stopall", "unsubscribe", "استاپ", "توقف"}),
    start=frozenset({"start", "unstop", "شروع"}),
)

_LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:ir|com|org|net|int|app|info|af)(?:/\S*)?\b",
    re.IGNORECASE,
)


def keyword(text: str | None, keywords: Keywords = SMS_KEYWORDS) -> str | None:
    """ "stop" or "start" when the whole message is such a keyword."""
    if not text:
        return None
    word = normalize(text).strip().strip(".!?؟،,").replace("\u200c", "").lower()
    if word in keywords.stop:
        return "stop"
    if word in keywords.start:
        return "start"
    return None


def without_links(text: str) -> str:
    """The text with every link taken out (and the spaces it leaves)."""
    stripped = _LINK.sub("", text)
    return re.sub(r"[ \t]{2,}", " ", re.sub(r" +([.,،؛:])", r"\1", stripped)).strip()
