"""Case reference numbers: 8 digits, the last a Damm check digit (reference-numbers.md).

Standard library only: the service issues and checks references, and the bot's
actions check what a person typed before asking the API.
"""

from __future__ import annotations

import re
import secrets

from persian_text import to_ascii_digits

# The Damm algorithm's quasigroup of order 10 (weakly totally anti-symmetric):
# it detects every single-digit error and every adjacent transposition.
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

_SEPARATOR_CHARS = r"\s\-\u2010-\u2015\u2212_.\u200c\u200e\u200f"
_SEPARATORS = re.compile(rf"[{_SEPARATOR_CHARS}]+")
_DIGIT_RUN = re.compile(rf"\d[\d{_SEPARATOR_CHARS}]*\d")


class InvalidReference(ValueError):
    """A reference that is not 8 digits (`bad_format`) or fails its check (`bad_check_digit`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def damm_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][int(char)]
    return interim


def is_valid(digits: str) -> bool:
    return len(digits) == 8 and digits.isascii() and digits.isdigit() and damm_digit(digits) == 0


def generate() -> str:
    """A random reference (never sequential); the caller checks uniqueness."""
    body = str(secrets.randbelow(9_000_000) + 1_000_000)  # no leading zero to drop
    return body + str(damm_digit(body))


def parse(text: str) -> str:
    """Canonical 8 ASCII digits from what a person typed, or InvalidReference."""
    digits = _SEPARATORS.sub("", to_ascii_digits(text.strip()))
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        raise InvalidReference("bad_format", "A reference has 8 digits, like 1234-5678.")
    if damm_digit(digits) != 0:
        raise InvalidReference(
            "bad_check_digit", "This reference is not valid: please check the digits."
        )
    return digits


def find(text: str) -> str:
    """The reference inside a sentence ("my code is ۱۲۳۴-۵۶۷۸"), or InvalidReference."""
    runs = [_SEPARATORS.sub("", run) for run in _DIGIT_RUN.findall(to_ascii_digits(text))]
    candidates = [run for run in runs if len(run) == 8 and run.isascii()]
    return parse(candidates[0] if candidates else text)


def display(digits: str) -> str:
    return f"{digits[:4]}-{digits[4:]}"
