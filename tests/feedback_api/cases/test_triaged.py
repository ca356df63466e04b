"""A case's description is triaged when the case is filed: a disclosure moves it up, never down."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient

from feedback_api.cases.schemas import CaseCreate, CaseType
from feedback_api.cases.service import triaged

DISCLOSURE = "مسئول ثبت نام گفت اگر صیغه‌اش بشوم اسمم را در لیست می‌نویسد"


def _data(category: str, description: str | None) -> CaseCreate:
    return CaseCreate(
        type=CaseType.complaint,
        category=category,
        topic="CSH",
        channel="telegram",
        language="prs",
        description=description,
    )


@pytest.mark.parametrize("category", ["CMN", "SUG", "APP", "MIS", "FRD"])
def test_a_disclosure_moves_an_ordinary_or_s2_case_up(category: str) -> None:
    moved = triaged(_data(category, DISCLOSURE))
    assert (moved.category, moved.type, moved.topic) == ("SEA", CaseType.report, "PRT")


def test_nothing_moves_down_or_sideways_from_a_chosen_category() -> None:
    assert triaged(_data("CSG", DISCLOSURE)).category == "CSG"  # both S3: the caller chose
    # SAF and MIS are what the assistant files from an intent alone: the words decide.
    assert triaged(_data("SAF", DISCLOSURE)).category == "SEA"
    assert triaged(_data("DPB", "کارمند پول خواست")).category == "DPB"
    assert triaged(_data("CMN", "کمک نقدی دیر رسید")).category == "CMN"
    assert triaged(_data("CMN", None)).category == "CMN"


def test_a_feedback_form_with_a_disclosure_is_not_an_ordinary_case(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    answer = client.post(
        "/api/v1/bot/cases",
        json={
            "client_key": secrets.token_hex(8),
            "contact": "abcdefghijklmnopqrstuvwxyz",
            "type": "feedback",
            "category": "SUG",
            "channel": "telegram",
            "description": DISCLOSURE,
        },
        headers=service_headers,
    )
    assert answer.status_code == 201
    assert (answer.json()["category"], answer.json()["sensitivity"]) == ("SEA", "S3")
