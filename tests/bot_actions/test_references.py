"""Reading a reference back: digits of any script, separators, the Damm check."""

from __future__ import annotations

import pytest

from actions import references
from tests.bot_actions.apiserver import ApiServer
from tests.bot_actions.conftest import pseudonym


def _valid(body: str) -> str:
    return body + str(references.damm_digit(body))


VALID = _valid("1234567")


@pytest.mark.parametrize(
    "typed",
    [
        VALID,
        f"{VALID[:4]}-{VALID[4:]}",
        f"{VALID[:4]} {VALID[4:]}",
        VALID.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
        VALID.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        f"کد من {VALID[:4]}-{VALID[4:]} است",
    ],
)
def test_accepts_what_people_type(typed: str) -> None:
    assert references.parse(typed) == (VALID, None)


def test_a_wrong_digit_or_a_swap_is_caught() -> None:
    wrong = VALID[:3] + str((int(VALID[3]) + 1) % 10) + VALID[4:]
    swapped = VALID[1] + VALID[0] + VALID[2:]
    assert references.parse(wrong) == (None, references.BAD_CHECK_DIGIT)
    if swapped != VALID:
        assert references.parse(swapped) == (None, references.BAD_CHECK_DIGIT)


@pytest.mark.parametrize("typed", ["", "123", "123456789", "abcd-efgh"])
def test_not_eight_digits(typed: str) -> None:
    assert references.parse(typed) == (None, references.BAD_FORMAT)


def test_same_table_as_the_service(api: ApiServer) -> None:
    """References the real API issues pass our check; one changed digit fails."""
    contact = pseudonym()
    for n in range(5):
        answer = api.bot(
            "POST",
            "/cases",
            json={
                "client_key": f"reftest-{contact}-{n}",
                "contact": contact,
                "type": "feedback",
                "category": "SUG",
                "topic": "GEN",
                "channel": "web",
            },
        )
        assert answer.status_code == 201, answer.text
        issued = answer.json()["reference"]
        assert references.parse(answer.json()["reference_display"]) == (issued, None)
        tampered = issued[:-1] + str((int(issued[-1]) + 1) % 10)
        assert references.parse(tampered) == (None, references.BAD_CHECK_DIGIT)
