"""Rendering replies per channel: Telegram keyboards and chunks, SMS menus and segments.

SMS arithmetic (docs/domain.md §4.4): GSM-7 160 characters or 153 per part,
UCS-2 70 or 67 per part; one non-GSM character makes the whole message UCS-2;
characters outside the BMP take two UCS-2 units; GSM extension characters take
two septets.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from persian_text import to_ascii_digits

log = logging.getLogger(__name__)

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_GSM7 = frozenset(GSM7_BASIC)
_GSM7_EXT = frozenset(GSM7_EXTENSION)

TELEGRAM_MAX_CHARS = 4096
TELEGRAM_CALLBACK_MAX_BYTES = 64
SMS_MAX_SEGMENTS = 3
# Twilio accepts a body of at most 1600 characters.
SMS_MAX_BODY = 1600

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

Button = dict[str, str]


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7 or ch in _GSM7_EXT for ch in text)


def _units(text: str, gsm: bool) -> int:
    if gsm:
        return sum(2 if ch in _GSM7_EXT else 1 for ch in text)
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def sms_info(text: str) -> SmsInfo:
    gsm = is_gsm7(text)
    units = _units(text, gsm)
    single, part = (160, 153) if gsm else (70, 67)
    segments = 1 if units == 0 or units <= single else -(-units // part)
    return SmsInfo("GSM-7" if gsm else "UCS-2", units, segments)


def count_segments(text: str) -> int:
    return sms_info(text).segments


def split_sms(text: str) -> list[str]:
    """The text cut into segment-sized parts at word boundaries (for display and cost)."""
    info = sms_info(text)
    single, part = (160, 153) if info.encoding == "GSM-7" else (70, 67)
    if info.units <= single:
        return [text]
    gsm = info.encoding == "GSM-7"
    return _split_units(text, part, lambda s: _units(s, gsm))


def _split_units(text: str, limit: int, measure: Any) -> list[str]:
    """Greedy split at whitespace so that each part measures at most `limit`."""
    parts: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        candidate = current + token
        if measure(candidate.rstrip()) <= limit:
            current = candidate
            continue
        if current.strip():
            parts.append(current.rstrip())
            current = ""
        # A single word longer than a part: cut it by characters.
        while measure(token.rstrip()) > limit:
            cut = len(token)
            while measure(token[:cut]) > limit:
                cut -= 1
            parts.append(token[:cut])
            token = token[cut:]
        current = token
    if current.strip():
        parts.append(current.rstrip())
    return parts or [""]


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
            parts.extend(_split_units(line, limit, len))
    if current:
        parts.append(current.rstrip("\n"))
    return parts


def localise_digits(text: str, language: str | None) -> str:
    return text.translate(PERSIAN_DIGITS) if language in ("fa", "prs") else text


def sms_menu(text: str, buttons: list[Button], language: str | None) -> str:
    """Buttons as a numbered menu under the text: "۱. دری"."""
    if not buttons:
        return text
    lines = [
        # Persian digits unless the person wrote in another language (replies accept both).
        f"{localise_digits(str(i), language or 'fa')}. {b.get('title', '')}"
        for i, b in enumerate(buttons, 1)
    ]
    return (text.rstrip() + "\n" if text.strip() else "") + "\n".join(lines)


def menu_choice(text: str, menu: list[Button] | None) -> str | None:
    """The payload chosen by a reply like "1", "۱", "١" (or "1." ) from the last menu."""
    if not menu:
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", to_ascii_digits(text))
    if not match:
        return None
    index = int(match.group(1))
    if 1 <= index <= len(menu):
        return menu[index - 1].get("payload")
    return None


def callback_key(payload: str) -> str:
    """The short id of a long payload (stable, so the same payload maps to the same key)."""
    return "k:" + hashlib.sha256(payload.encode()).hexdigest()[:20]


def fits_callback(payload: str) -> bool:
    return len(payload.encode()) <= TELEGRAM_CALLBACK_MAX_BYTES


def check_sms_length(text: str, *, source: str) -> int:
    """The segment count; more than 3 segments is a content bug worth a warning."""
    segments = count_segments(text)
    if segments > SMS_MAX_SEGMENTS:
        log.warning("SMS of %d segments from %s (content too long)", segments, source)
    return segments
