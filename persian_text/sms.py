"""SMS as phones count and show it (docs/domain.md §4.4): the one rule for the gateway
(segments, numbered menus), the console's counter and the assistant's size budget.

GSM-7: 160 septets, or 153 per part; an extension character takes two. Anything else
(Persian script) makes the whole message UCS-2: 70 UTF-16 units, or 67 per part, a
character outside the BMP (an emoji) taking two. An empty text is no SMS at all.
The console's static/sms.js applies the same rule (tests/browser compares them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_GSM7 = frozenset(GSM7_BASIC)
_GSM7_EXT = frozenset(GSM7_EXTENSION)
# (one part, each part of a longer message)
SIZES = {"GSM-7": (160, 153), "UCS-2": (70, 67)}
# What one reply may cost; more is a content bug.
MAX_SEGMENTS = 3
# A language's SMS alphabet in the registry (persian_text/languages.yml).
ALPHABETS = {"gsm7": "GSM-7", "ucs2": "UCS-2"}


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # the units one part holds: 160/70 alone, 153/67 in a longer message


def _units(text: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return sum(2 if ch in _GSM7_EXT else 1 for ch in text)
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def encoding_of(text: str) -> str:
    return "GSM-7" if all(ch in _GSM7 or ch in _GSM7_EXT for ch in text) else "UCS-2"


def measure(text: str) -> Segments:
    encoding = encoding_of(text)
    units = _units(text, encoding)
    single, part = SIZES[encoding]
    if units <= single:
        return Segments(encoding, units, 1 if units else 0, single)
    return Segments(encoding, units, -(-units // part), part)


def segments(text: str) -> int:
    return measure(text).segments


def capacity(alphabet: str, segments: int = 1) -> int:
    """The units a message of `segments` parts holds in a language's SMS alphabet
    ("gsm7" or "ucs2"): the budget of a text written in that language."""
    single, part = SIZES[ALPHABETS[alphabet]]
    return single if segments == 1 else part * segments


def fits(text: str, limit: int = MAX_SEGMENTS) -> bool:
    return segments(text) <= limit


def split(text: str) -> list[str]:
    """The text cut into its parts at word boundaries (to show what the phone shows)."""
    info = measure(text)
    if info.segments <= 1:
        return [text]
    return split_by(text, info.per_segment, lambda s: _units(s, info.encoding))


def split_by(text: str, limit: int, measure_part: Callable[[str], int]) -> list[str]:
    """Greedy split at whitespace so that each part measures at most `limit`."""
    parts: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*|\s+", text):
        candidate = current + token
        if measure_part(candidate.rstrip()) <= limit:
            current = candidate
            continue
        if current.strip():
            parts.append(current.rstrip())
            current = ""
        # A single word longer than a part: cut it by characters.
        while measure_part(token.rstrip()) > limit:
            cut = len(token)
            while measure_part(token[:cut]) > limit:
                cut -= 1
            parts.append(token[:cut])
            token = token[cut:]
        current = token
    if current.strip():
        parts.append(current.rstrip())
    return parts or [""]


def numbered_menu(text: str, titles: Sequence[str], digits: str = "0123456789") -> str:
    """Buttons as SMS shows them: a numbered line each under the text ("۱. دری"), numbers
    written with `digits` (a language's 0-9, persian_text.languages). A reply of "1", "۱"
    or "١" answers it."""
    written = str.maketrans("0123456789", digits)
    lines = [f"{str(i).translate(written)}. {title}" for i, title in enumerate(titles, 1)]
    return "\n".join([text.rstrip(), *lines] if text.strip() else lines)
