"""Reading a reference back in the bot runtime: digits of any script, separators, the check."""

from __future__ import annotations

import pytest

import case_reference
from tests.bot_actions.apiserver import ApiServer
from tests.bot_actions.conftest import pseudonym

VALID = "1234567" + str(case_reference.damm_digit("1234567"))


def problem(typed: str) -> str:
    with pytest.raises(case_reference.InvalidReference) as error:
        case_reference.find(typed)
    return error.value.code


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
    assert case_reference.find(typed) == VALID


def test_a_wrong_digit_or_a_swap_is_caught() -> None:
    wrong = VALID[:3] + str((int(VALID[3]) + 1) % 10) + VALID[4:]
    swapped = VALID[1] + VALID[0] + VALID[2:]
    assert problem(wrong) == "bad_check_digit"
    assert problem(swapped) == "bad_check_digit"


@pytest.mark.parametrize("typed", ["", "123", "123456789", "abcd-efgh"])
def test_not_eight_digits(typed: str) -> None:
    assert problem(typed) == "bad_format"


def test_references_the_real_api_issues_pass_and_a_changed_digit_fails(api: ApiServer) -> None:
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
        assert case_reference.find(answer.json()["reference_display"]) == issued
        tampered = issued[:-1] + str((int(issued[-1]) + 1) % 10)
        assert problem(tampered) == "bad_check_digit"
