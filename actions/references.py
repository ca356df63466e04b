"""Parse a case reference a person typed (docs reference-numbers.md).

The bot runtime does not import the service, so the Damm table is repeated
here; tests/bot_actions checks it against references the real API issues.
"""

from __future__ import annotations

import re

from persian_text import to_ascii_digits

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.\u200c\u200e\u200f]+")
_DIGIT_RUN = re.compile(r"\d[\d\s\-\u2010-\u2015\u2212_.\u200c\u200e\u200f]*\d")

BAD_FORMAT = "bad_format"
BAD_CHECK_DIGIT = "bad_check_digit"


def damm_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def parse(text: str) -> tuple[str | None, str | None]:
    """(8 ASCII digits, None) or (None, BAD_FORMAT | BAD_CHECK_DIGIT).

    Accepts the reference alone or inside a sentence ("my code is ۱۲۳۴-۵۶۷۸").
    """
    ascii_text = to_ascii_digits(text)
    runs = [_SEPARATORS.sub("", run) for run in _DIGIT_RUN.findall(ascii_text)]
    candidates = [run for run in runs if len(run) == 8 and run.isascii()]
    if not candidates:
        return None, BAD_FORMAT
    digits = candidates[0]
    if damm_digit(digits) != 0:
        return None, BAD_CHECK_DIGIT
    return digits, None


def display(digits: str) -> str:
    return f"{digits[:4]}-{digits[4:]}"
