"""The bot API gives a case's status in words in the language asked, else the person's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.feedback_api.cases.test_api import BOT, body, pseudonym
from tests.third_language import written_pashto

CONTACTS = "/api/v1/bot/contacts"
NEW_FA = "ثبت شده و در نوبت بررسی است"


def _file(client: TestClient, headers: dict[str, str], contact: str) -> str:
    answer = client.post(BOT, json=body(contact=contact), headers=headers)
    assert answer.status_code == 201
    return str(answer.json()["reference"])


def test_status_label_in_the_language_asked_else_the_contacts(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    person = pseudonym()
    reference = _file(client, service_headers, person)
    url = f"{BOT}/{reference}"

    def status(**params: str) -> dict[str, str]:
        answer = client.get(url, params={"contact": person, **params}, headers=service_headers)
        assert answer.status_code == 200
        return {k: answer.json()[k] for k in ("status_label", "language")}

    assert status() == {"status_label": NEW_FA, "language": "fa"}  # language not known yet
    assert status(language="prs")["language"] == "prs"
    chosen = client.put(
        f"{CONTACTS}/{person}/language", json={"language": "prs"}, headers=service_headers
    )
    assert chosen.status_code < 300
    assert status()["language"] == "prs"
    assert status(language="fa") == {"status_label": NEW_FA, "language": "fa"}
    refused = client.get(url, params={"contact": person, "language": "ps"}, headers=service_headers)
    assert refused.status_code == 422


@pytest.mark.usefixtures("pashto")
def test_a_registered_third_language_is_accepted_and_answered_in(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    person = pseudonym()
    reference = _file(client, service_headers, person)
    chosen = client.put(
        f"{CONTACTS}/{person}/language", json={"language": "ps"}, headers=service_headers
    )
    assert chosen.status_code < 300
    answer = client.get(f"{BOT}/{reference}", params={"contact": person}, headers=service_headers)
    pashto = written_pashto("feedback_api/cases/status_labels.yml", "NEW")
    assert answer.json()["status_label"] == pashto and answer.json()["language"] == "ps"
    listed = client.get(f"{CONTACTS}/{person}/cases", headers=service_headers).json()
    assert listed["language"] == "ps"
    assert listed["cases"][0]["category_label"] == written_pashto(
        "feedback_api/cases/category_labels.yml", "CMN"
    )
