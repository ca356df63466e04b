"""Rendering replies per medium: Telegram chunks and button keys, SMS menus.

SMS arithmetic (segments, numbered menus) is persian_text.sms, shared with the console
and the assistant.
"""

from __future__ import annotations

import hashlib
import logging
import re

from channels.sms import without_links
from persian_text import languages, matching_key, sms, to_ascii_digits

log = logging.getLogger(__name__)

TELEGRAM_MAX_CHARS = 4096
TELEGRAM_CALLBACK_MAX_BYTES = 64
# Twilio accepts a body of at most 1600 characters.
SMS_MAX_BODY = 1600

Button = dict[str, str]


def split_telegram(text: str, limit: int = TELEGRAM_MAX_CHARS) -> list[str]:
    """Telegram messages are at most 4096 characters: split at lines, then words."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if len(current) + len(line) <= limit:
            current += line
            continue
        if current:
            parts.append(current.rstrip("\n"))
            current = ""
        if len(line) <= limit:
            current = line
        else:
            parts.extend(sms.split_by(line, limit, len))
    if current:
        parts.append(current.rstrip("\n"))
    return parts


def sms_menu(text: str, buttons: list[Button], language: str | None) -> str:
    """A reply as an SMS: links taken out, buttons as a numbered menu under the text
    ("۱. دری", in the digits of the person's language). The assistant writes the line on
    how to answer above its menus."""
    text = without_links(text)
    if not buttons:
        return text
    # The digits of the person's language (replies accept every kind).
    digits = languages.registry().pick(language).digits
    return sms.numbered_menu(text, [b.get("title", "") for b in buttons], digits)


def menu_choice(text: str, menu: list[Button] | None) -> str | None:
    """The payload chosen from the last menu: by its number ("1", "۱", "١", "1."), or by
    its title typed out ("نخیر" under a menu with the button نخیر), as people do on SMS and
    when they type instead of tapping."""
    if not menu:
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", to_ascii_digits(text))
    if match:
        index = int(match.group(1))
        return menu[index - 1].get("payload") if 1 <= index <= len(menu) else None
    typed = matching_key(text.strip(" .!؟?"))
    titles = {matching_key(str(b.get("title") or "")): b.get("payload") for b in menu}
    return titles.get(typed) if typed else None


def callback_key(payload: str) -> str:
    """The short id of a long payload (stable, so the same payload maps to the same key)."""
    return "k:" + hashlib.sha256(payload.encode()).hexdigest()[:20]


def fits_callback(payload: str) -> bool:
    return len(payload.encode()) <= TELEGRAM_CALLBACK_MAX_BYTES


def check_sms_length(text: str, *, source: str) -> int:
    """The segment count; more than persian_text.sms.MAX_SEGMENTS is a content bug."""
    segments = sms.segments(text)
    if segments > sms.MAX_SEGMENTS:
        log.warning("SMS of %d segments from %s (content too long)", segments, source)
    return segments
