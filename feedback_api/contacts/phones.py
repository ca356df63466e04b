"""Phone numbers in one form, E.164, wherever they come from.

An SMS gateway on a local SIM reports numbers as the phone shows them (09121234567),
Twilio in E.164, an operator types what the caller says (۰۹۱۲ ۱۲۳ ۴۵۶۷, 0098...). One
person must be one contact: every number is normalised here before it is pseudonymised.
"""

from __future__ import annotations

import re

from persian_text import to_ascii_digits

_JUNK = re.compile(r"[\s\-().\u200c\u200e\u200f]")
# Numbers without a country code are Iranian (the service's country).
DEFAULT_COUNTRY = "98"


def e164(text: str) -> str | None:
    """+989121234567 from 09121234567, 9121234567, 00989121234567, ۰۹۱۲...; None if not a number."""
    digits = _JUNK.sub("", to_ascii_digits(text.strip()))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = f"+{DEFAULT_COUNTRY}" + digits[1:]
    elif digits.startswith("9") and len(digits) == 10:
        digits = f"+{DEFAULT_COUNTRY}" + digits
    if not digits.startswith("+"):
        digits = "+" + digits
    if not digits[1:].isdigit() or not 8 <= len(digits) - 1 <= 15:
        return None
    return digits
