"""The bot's case API and the staff's sensitivity changes, as the bot and the console use them."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from case_reference import damm_digit
from feedback_api.audit.models import AuditEntry
from feedback_api.cases.models import Case
from feedback_api.contacts.service import pseudonym_for
from tests.factories import auth, make_case, make_contact, make_user

BOT = "/api/v1/bot/cases"


def pseudonym() -> str:
    return pseudonym_for("telegram", str(secrets.randbelow(10**9)))


def body(**overrides: Any) -> dict[str, Any]:
    data = {
        "client_key": secrets.token_hex(8),
        "contact": pseudonym(),
        "type": "complaint",
        "category": "CMN",
        "topic": "CSH",
        "channel": "telegram",
        "language": "prs",
        "province": "Razavi Khorasan",
        "description": "پول کمک ما سه ماه است نرسیده",
    }
    data.update(overrides)
    return data


def test_a_new_case_gets_a_valid_reference(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    answer = client.post(BOT, json=body(), headers=service_headers)
    assert answer.status_code == 201
    created = answer.json()
    reference = created["reference"]
    assert len(reference) == 8 and damm_digit(reference) == 0
    assert created["reference_display"] == f"{reference[:4]}-{reference[4:]}"
    assert created["status"] == "NEW" and created["created"] is True
    assert created["sensitivity"] == "S1"
    assert "description" not in created


def test_the_same_client_key_twice_makes_one_case(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    data = body()
    first = client.post(BOT, json=data, headers=service_headers)
    again = client.post(BOT, json=data, headers=service_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["created"] is False
    count = session.scalar(select(func.count()).where(Case.client_key == data["client_key"]))
    assert count == 1


def test_a_client_key_of_another_contact_is_refused(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    data = body()
    assert client.post(BOT, json=data, headers=service_headers).status_code == 201
    stolen = client.post(BOT, json={**data, "contact": pseudonym()}, headers=service_headers)
    assert stolen.status_code == 409
    assert stolen.json()["detail"]["code"] == "client_key_reused"


def test_bot_endpoints_need_the_service_token(client: TestClient, session: Session) -> None:
    assert client.post(BOT, json=body()).status_code == 401
    wrong = {"Authorization": "Bearer wrong"}
    assert client.post(BOT, json=body(), headers=wrong).status_code == 401
    staff = auth(make_user(session, "admin"))
    assert client.post(BOT, json=body(), headers=staff).status_code == 401
    assert session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "XXX"),
        ("topic", "NOPE"),
        ("province", "Atlantis"),
        ("channel", "fax"),
        ("language", "en"),
        ("type", "rant"),
        ("client_key", "short"),
        ("description", ""),
    ],
)
def test_bad_values_are_refused_with_422(
    client: TestClient, service_headers: dict[str, str], field: str, value: str
) -> None:
    answer = client.post(BOT, json=body(**{field: value}), headers=service_headers)
    assert answer.status_code == 422


def test_status_lookup_answers_only_the_contact_who_filed(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    mine = pseudonym()
    reference = client.post(BOT, json=body(contact=mine), headers=service_headers).json()[
        "reference"
    ]
    for typed in (
        reference,
        f"{reference[:4]}-{reference[4:]}",
        reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")),
    ):
        answer = client.get(f"{BOT}/{typed}", params={"contact": mine}, headers=service_headers)
        assert answer.status_code == 200, typed
        status = answer.json()
        assert status["reference"] == reference and status["status"] == "NEW"
        assert status["status_label"] == "ثبت شده و در نوبت بررسی است"
        assert status["closed"] is False
        assert "description" not in status

    other = client.get(
        f"{BOT}/{reference}", params={"contact": pseudonym()}, headers=service_headers
    )
    assert other.status_code == 404

    typo = reference[:7] + str((int(reference[7]) + 1) % 10)
    wrong = client.get(f"{BOT}/{typo}", params={"contact": mine}, headers=service_headers)
    assert wrong.status_code == 422
    assert wrong.json()["detail"]["code"] == "bad_check_digit"
    short = client.get(f"{BOT}/1234", params={"contact": mine}, headers=service_headers)
    assert short.status_code == 422
    assert short.json()["detail"]["code"] == "bad_format"


def test_messages_are_appended_for_the_owner_only(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    mine = pseudonym()
    reference = client.post(BOT, json=body(contact=mine), headers=service_headers).json()[
        "reference"
    ]
    url = f"{BOT}/{reference}/messages"
    ok = client.post(
        url,
        json={"contact": mine, "direction": "in", "text": "هنوز خبری نیست"},
        headers=service_headers,
    )
    assert ok.status_code == 201
    other = client.post(
        url, json={"contact": pseudonym(), "direction": "in", "text": "x"}, headers=service_headers
    )
    assert other.status_code == 404
    headers = auth(make_user(session, "operator"))
    timeline = client.get(f"/api/v1/cases/{reference}", headers=headers).json()["timeline"]
    assert [(e["kind"], e["body"], e["actor"]) for e in timeline[1:]] == [
        ("message_in", "هنوز خبری نیست", "contact")
    ]


@pytest.mark.parametrize(
    ("category", "requested", "expected"),
    [
        ("SEA", None, "S3"),
        ("SAF", None, "S3"),
        ("FRD", None, "S2"),
        ("DPB", None, "S2"),
        ("CMN", None, "S1"),
        ("APP", None, "S0"),
        ("CMN", "S3", "S3"),  # raised
        ("APP", "S2", "S2"),
        ("SEA", "S0", "S3"),  # never lowered below the category
        ("CMN", "S0", "S1"),
        ("FRD", "S1", "S2"),
    ],
)
def test_sensitivity_follows_the_category_and_can_only_be_raised(
    client: TestClient,
    service_headers: dict[str, str],
    category: str,
    requested: str | None,
    expected: str,
) -> None:
    data = body(category=category)
    if requested:
        data["sensitivity"] = requested
    answer = client.post(BOT, json=data, headers=service_headers)
    assert answer.status_code == 201
    assert answer.json()["sensitivity"] == expected


def _change(
    client: TestClient,
    headers: dict[str, str],
    reference: str,
    level: str,
    reason: str = "re-assessed after the call",
) -> Any:
    return client.post(
        f"/api/v1/cases/{reference}/sensitivity",
        json={"sensitivity": level, "reason": reason},
        headers=headers,
    )


def test_anyone_who_sees_a_case_may_raise_it(client: TestClient, session: Session) -> None:
    operator = auth(make_user(session, "operator"))
    case = make_case(session, category="CMN")
    answer = _change(client, operator, case.reference, "S2")
    assert answer.status_code == 200
    assert answer.json() == {
        "reference": case.reference,
        "sensitivity": "S2",
        "still_visible": False,
    }
    assert client.get(f"/api/v1/cases/{case.reference}", headers=operator).status_code == 404
    session.refresh(case)
    entry = case.timeline[-1]
    assert (entry.kind, entry.body, entry.data) == (
        "sensitivity",
        "re-assessed after the call",
        {"from": "S1", "to": "S2"},
    )


@pytest.mark.parametrize("role", ["operator", "accountability_staff"])
def test_operators_may_not_lower(client: TestClient, session: Session, role: str) -> None:
    headers = auth(make_user(session, role))
    case = make_case(session, category="APP", sensitivity="S1")
    answer = _change(client, headers, case.reference, "S0")
    assert answer.status_code == 403
    assert answer.json()["detail"]["code"] == "cannot_lower"
    session.refresh(case)
    assert case.sensitivity == "S1"


def test_a_manager_lowers_with_a_reason_but_never_below_the_category(
    client: TestClient, session: Session
) -> None:
    manager = auth(make_user(session, "cfm_manager"))
    raised = make_case(session, category="CMN", sensitivity="S2")
    assert _change(client, manager, raised.reference, "S1", reason="").status_code == 422
    lowered = _change(client, manager, raised.reference, "S1")
    assert lowered.status_code == 200 and lowered.json()["sensitivity"] == "S1"

    fraud = make_case(session, category="FRD")
    refused = _change(client, manager, fraud.reference, "S1")
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "below_category"
    session.refresh(fraud)
    assert fraud.sensitivity == "S2"


def test_a_focal_point_lowers_a_raised_s3_case(client: TestClient, session: Session) -> None:
    focal = auth(make_user(session, "psea_focal_point"))
    case = make_case(session, category="CMN", sensitivity="S3")
    answer = _change(client, focal, case.reference, "S1", reason="no abuse involved after all")
    assert answer.status_code == 200 and answer.json()["still_visible"] is False
    sea = make_case(session, category="SEA")
    assert _change(client, focal, sea.reference, "S2").status_code == 409
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.case_id == case.id, AuditEntry.action == "case.sensitivity"
        )
    ).all()
    assert [entry.detail for entry in audit] == [{"from_level": "S3", "to_level": "S1"}]


def test_staff_log_a_call_they_cannot_see(client: TestClient, session: Session) -> None:
    operator = auth(make_user(session, "operator"))
    answer = client.post(
        "/api/v1/cases",
        json={
            "type": "report",
            "category": "SEA",
            "channel": "phone",
            "description": "caller said",
        },
        headers=operator,
    )
    assert answer.status_code == 201
    assert answer.json()["sensitivity"] == "S3"
    assert "description" not in answer.json()
    assert (
        client.get(f"/api/v1/cases/{answer.json()['reference']}", headers=operator).status_code
        == 404
    )


def test_handoff_and_contact_preferences(
    client: TestClient, session: Session, service_headers: dict[str, str]
) -> None:
    contact = make_contact(session, "telegram", "555001")
    key = contact.pseudonym
    base = f"/api/v1/bot/contacts/{key}"
    consent = client.put(
        f"{base}/consent",
        json={"callback": True, "preferred_operator_gender": "female"},
        headers=service_headers,
    )
    assert consent.status_code == 200 and consent.json()["callback_consent"] is True
    language = client.put(f"{base}/language", json={"language": "prs"}, headers=service_headers)
    assert language.json()["language"] == "prs"
    first = client.post(
        f"{base}/handoff", json={"reason": "wants a person"}, headers=service_headers
    )
    assert first.status_code == 201
    queued = first.json()
    assert queued["status"] == "waiting" and queued["position"] >= 1
    again = client.post(f"{base}/handoff", json={}, headers=service_headers).json()
    assert again["position"] == queued["position"]  # one place in the queue, not two
    assert (
        client.put(f"{base}/language", json={"language": "en"}, headers=service_headers).status_code
        == 422
    )


def test_a_case_goes_only_to_an_active_user_who_may_see_it(
    client: TestClient, session: Session
) -> None:
    manager = make_user(session, "cfm_manager", username="assigning-manager")
    left = make_user(session, "cfm_manager", username="left-the-team")
    left.is_active = False
    make_user(session, "operator", username="assign-operator")
    case = make_case(session, category="FRD")
    url = f"/api/v1/cases/{case.reference}/assign"

    def assign(username: str | None) -> Any:
        return client.post(url, json={"username": username}, headers=auth(manager))

    gone = assign("left-the-team")
    assert (gone.status_code, gone.json()["detail"]["code"]) == (404, "user_not_found")
    assert assign("nobody-of-that-name").status_code == 404
    refused = assign("assign-operator")
    assert (refused.status_code, refused.json()["detail"]["code"]) == (409, "assignee_not_entitled")
    assert assign("assigning-manager").json()["assignee"] == "assigning-manager"
    assert assign(None).json()["assignee"] is None
