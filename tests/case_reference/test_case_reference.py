"""Case references: 8 digits with a Damm check digit (contract: reference-numbers.md)."""

from __future__ import annotations

import itertools
import random
import re

import pytest

import case_reference as references
from case_reference import InvalidReference, damm_digit, display, generate, parse

# Published Damm example: 572 has check digit 4; 1234567 has 1.
KNOWN = "12345671"


def _sample(count: int = 200) -> list[str]:
    rng = random.Random(20240601)
    out = []
    for _ in range(count):
        body = f"{rng.randrange(10**6, 10**7):07d}"
        out.append(body + str(damm_digit(body)))
    return out


def test_the_published_damm_example() -> None:
    assert damm_digit("572") == 4
    assert damm_digit("5724") == 0
    assert parse(KNOWN) == KNOWN


@pytest.mark.parametrize("reference", _sample(60))
def test_every_single_digit_error_is_rejected(reference: str) -> None:
    assert parse(reference) == reference
    for position in range(8):
        for digit in "0123456789":
            if digit == reference[position]:
                continue
            typo = reference[:position] + digit + reference[position + 1 :]
            with pytest.raises(InvalidReference) as error:
                parse(typo)
            assert error.value.code == "bad_check_digit"


@pytest.mark.parametrize("reference", _sample(200))
def test_every_adjacent_swap_is_rejected(reference: str) -> None:
    for position in range(7):
        a, b = reference[position], reference[position + 1]
        if a == b:
            continue
        swapped = reference[:position] + b + a + reference[position + 2 :]
        with pytest.raises(InvalidReference) as error:
            parse(swapped)
        assert error.value.code == "bad_check_digit"


@pytest.mark.parametrize(
    "typed",
    [
        "1234-5671",
        "1234 5671",
        " 12345671 ",
        "۱۲۳۴۵۶۷۱",  # Persian digits
        "۱۲۳۴-۵۶۷۱",
        "۱۲۳۴ ۵۶۷۱",
        "١٢٣٤٥٦٧١",  # Arabic-Indic digits
        "١٢٣٤-٥٦٧١",
        "١٢٣٤ ٥٦٧١",
        "۱۲۳۴-5671",  # mixed keyboards
        "1234\u20135671",  # en dash from a phone keyboard
    ],
)
def test_persian_and_arabic_digits_with_separators_are_read(typed: str) -> None:
    assert parse(typed) == KNOWN


@pytest.mark.parametrize(
    "typed", ["", "1234567", "123456715", "1234-567a", "abcd-efgh", "12 34", "۱۲۳۴۵۶۷", "12345671x"]
)
def test_malformed_references_say_bad_format(typed: str) -> None:
    with pytest.raises(InvalidReference) as error:
        parse(typed)
    assert error.value.code == "bad_format"
    assert "8 digits" in str(error.value)


def test_wrong_check_digit_has_a_clear_message() -> None:
    with pytest.raises(InvalidReference) as error:
        parse("1234-5672")
    assert error.value.code == "bad_check_digit"
    assert "check the digits" in str(error.value)


def test_generated_references_are_valid_random_and_unique() -> None:
    generated = [generate() for _ in range(5000)]
    assert all(re.fullmatch(r"[1-9]\d{7}", ref) for ref in generated)
    assert all(references.is_valid(ref) and parse(ref) == ref for ref in generated)
    assert len(set(generated)) > 4990  # 9 million bodies: a handful of collisions at most
    # Not sequential: consecutive references are far apart and in no fixed order.
    steps = [int(b[:7]) - int(a[:7]) for a, b in itertools.pairwise(generated)]
    assert sum(1 for step in steps if abs(step) < 1000) < 10
    assert 0.4 < sum(1 for step in steps if step > 0) / len(steps) < 0.6
    # Every leading digit 1-9 and every check digit turn up.
    assert {ref[0] for ref in generated} == set("123456789")
    assert {ref[7] for ref in generated} == set("0123456789")


def test_display_groups_four_and_four() -> None:
    assert display(KNOWN) == "1234-5671"
    assert parse(display(KNOWN)) == KNOWN
