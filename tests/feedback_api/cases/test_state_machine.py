"""The case workflow: every legal and illegal move, for the standard and the S3 graph."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.cases.state_machine import (
    HIGHLY_RESTRICTED,
    STANDARD,
    Status,
    allowed_moves,
    can_move,
)
from feedback_api.taxonomy import load_taxonomy
from tests.factories import auth, make_case, make_user

S = Status
CLOSED = {S.CLOSED_LOOP, S.CLOSED_REFERRED, S.CLOSED_NO_CONTACT, S.WITHDRAWN, S.DUPLICATE}

# The workflow of docs/domain.md §1.6.4, written out by hand: the implementation must match it.
EXPECTED_STANDARD: dict[Status, set[Status]] = {
    S.NEW: {S.ACKNOWLEDGED, S.REFERRED_INTERNAL, S.WITHDRAWN, S.DUPLICATE},
    S.ACKNOWLEDGED: {
        S.IN_PROGRESS, S.REFERRED_INTERNAL, S.REFERRED_EXTERNAL, S.RESPONDED,
        S.CLOSED_NO_CONTACT, S.WITHDRAWN, S.DUPLICATE,
    },
    S.IN_PROGRESS: {
        S.REFERRED_INTERNAL, S.REFERRED_EXTERNAL, S.RESPONDED, S.CLOSED_NO_CONTACT,
        S.WITHDRAWN, S.DUPLICATE,
    },
    S.REFERRED_INTERNAL: {
        S.IN_PROGRESS, S.RESPONDED, S.CLOSED_REFERRED, S.CLOSED_NO_CONTACT, S.WITHDRAWN
    },
    S.REFERRED_EXTERNAL: {S.RESPONDED, S.CLOSED_REFERRED, S.CLOSED_NO_CONTACT, S.WITHDRAWN},
    S.RESPONDED: {S.CLOSED_LOOP, S.IN_PROGRESS, S.CLOSED_NO_CONTACT},
    **{status: set() for status in CLOSED},
}  # fmt: skip

# S3: intake and referral only. A case raised to S3 mid-way enters the referral track.
EXPECTED_S3: dict[Status, set[Status]] = {
    S.NEW: {S.REFERRED_INTERNAL, S.DUPLICATE},
    S.ACKNOWLEDGED: {S.REFERRED_INTERNAL},
    S.IN_PROGRESS: {S.REFERRED_INTERNAL},
    S.REFERRED_EXTERNAL: {S.REFERRED_INTERNAL},
    S.RESPONDED: {S.REFERRED_INTERNAL},
    S.REFERRED_INTERNAL: {S.CLOSED_REFERRED},
    **{status: set() for status in CLOSED},
}

# A legal path from NEW to each status.
PATH_STANDARD: dict[Status, list[Status]] = {
    S.NEW: [],
    S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
    S.IN_PROGRESS: [S.ACKNOWLEDGED, S.IN_PROGRESS],
    S.REFERRED_INTERNAL: [S.REFERRED_INTERNAL],
    S.REFERRED_EXTERNAL: [S.ACKNOWLEDGED, S.REFERRED_EXTERNAL],
    S.RESPONDED: [S.ACKNOWLEDGED, S.RESPONDED],
    S.CLOSED_LOOP: [S.ACKNOWLEDGED, S.RESPONDED, S.CLOSED_LOOP],
    S.CLOSED_REFERRED: [S.REFERRED_INTERNAL, S.CLOSED_REFERRED],
    S.CLOSED_NO_CONTACT: [S.ACKNOWLEDGED, S.CLOSED_NO_CONTACT],
    S.WITHDRAWN: [S.WITHDRAWN],
    S.DUPLICATE: [S.DUPLICATE],
}
PATH_S3: dict[Status, list[Status]] = {
    S.NEW: [],
    S.REFERRED_INTERNAL: [S.REFERRED_INTERNAL],
    S.CLOSED_REFERRED: [S.REFERRED_INTERNAL, S.CLOSED_REFERRED],
    S.DUPLICATE: [S.DUPLICATE],
}


def test_every_status_of_the_taxonomy_is_in_both_graphs() -> None:
    assert set(load_taxonomy().statuses) == {s.value for s in Status}
    assert set(STANDARD) == set(Status) == set(HIGHLY_RESTRICTED)


@pytest.mark.parametrize("current", list(Status))
def test_standard_graph_matches_the_workflow(current: Status) -> None:
    for sensitivity in ("S0", "S1", "S2"):
        assert set(allowed_moves(current, sensitivity)) == EXPECTED_STANDARD[current]
        for target in Status:
            assert can_move(current, target, sensitivity) is (target in EXPECTED_STANDARD[current])


@pytest.mark.parametrize("current", list(Status))
def test_s3_graph_is_referral_only(current: Status) -> None:
    assert set(allowed_moves(current, "S3")) == EXPECTED_S3.get(current, set())
    for target in Status:
        assert can_move(current, target, "S3") is (target in EXPECTED_S3.get(current, set()))


def test_unknown_statuses_are_never_legal() -> None:
    assert not can_move("NEW", "OPEN", "S1")
    assert not can_move("NEW", "new", "S1")


def _move(client: TestClient, headers: dict[str, str], reference: str, target: Status) -> int:
    answer = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": target.value}, headers=headers
    )
    return answer.status_code


def _check_all_moves_from(
    client: TestClient,
    session: Session,
    current: Status,
    *,
    category: str,
    role: str,
    path: list[Status],
    expected: set[Status],
) -> None:
    headers = auth(make_user(session, role))
    for target in Status:
        reference = make_case(session, category=category).reference
        for step in path:
            assert _move(client, headers, reference, step) == 200, (step, current)
        before = client.get(f"/api/v1/cases/{reference}", headers=headers).json()
        assert before["status"] == current.value
        assert set(before["allowed_moves"]) == {s.value for s in expected}
        code = _move(client, headers, reference, target)
        after = client.get(f"/api/v1/cases/{reference}", headers=headers).json()
        if target in expected:
            assert code == 200, f"{current} -> {target} should be allowed"
            assert after["status"] == target.value
            assert after["timeline"][-1]["to_status"] == target.value
        else:
            assert code == 409, f"{current} -> {target} should be refused"
            assert after["status"] == current.value
            assert after["timeline"] == before["timeline"]  # nothing recorded


@pytest.mark.parametrize("current", list(Status))
def test_every_standard_move_through_the_api(
    client: TestClient, session: Session, current: Status
) -> None:
    _check_all_moves_from(
        client,
        session,
        current,
        category="CMN",
        role="operator",
        path=PATH_STANDARD[current],
        expected=EXPECTED_STANDARD[current],
    )


@pytest.mark.parametrize("current", list(PATH_S3))
def test_every_s3_move_through_the_api(
    client: TestClient, session: Session, current: Status
) -> None:
    _check_all_moves_from(
        client,
        session,
        current,
        category="SEA",
        role="psea_focal_point",
        path=PATH_S3[current],
        expected=EXPECTED_S3[current],
    )


def test_an_illegal_move_answers_409_with_a_code(client: TestClient, session: Session) -> None:
    headers = auth(make_user(session, "operator"))
    reference = make_case(session).reference
    answer = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": "CLOSED_LOOP"}, headers=headers
    )
    assert answer.status_code == 409
    assert answer.json()["detail"]["code"] == "illegal_transition"
    unknown = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": "OPEN"}, headers=headers
    )
    assert unknown.status_code == 422


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def test_each_move_is_timestamped_with_its_actor(client: TestClient, session: Session) -> None:
    operator = make_user(session, "operator", username="leila")
    headers = auth(operator)
    case = make_case(session)
    reference = case.reference
    created = case.created_at

    first = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": "ACKNOWLEDGED"}, headers=headers
    ).json()
    acknowledged = _ts(first["acknowledged_at"])
    assert acknowledged is not None and acknowledged >= created
    assert first["first_action_at"] is None and first["closed_at"] is None

    second = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": "IN_PROGRESS"}, headers=headers
    ).json()
    first_action = _ts(second["first_action_at"])
    assert first_action is not None and first_action >= acknowledged
    assert _ts(second["acknowledged_at"]) == acknowledged  # not moved again

    client.post(f"/api/v1/cases/{reference}/status", json={"status": "RESPONDED"}, headers=headers)
    last = client.post(
        f"/api/v1/cases/{reference}/status",
        json={"status": "CLOSED_LOOP", "reason": "told by SMS"},
        headers=headers,
    ).json()
    closed = _ts(last["closed_at"])
    assert closed is not None and closed >= first_action
    assert _ts(last["first_action_at"]) == first_action
    assert last["next_due_at"] is None and last["overdue"] is False

    moves = [entry for entry in last["timeline"] if entry["kind"] == "status_change"]
    assert [(m["from_status"], m["to_status"]) for m in moves] == [
        ("NEW", "ACKNOWLEDGED"),
        ("ACKNOWLEDGED", "IN_PROGRESS"),
        ("IN_PROGRESS", "RESPONDED"),
        ("RESPONDED", "CLOSED_LOOP"),
    ]
    assert {m["actor"] for m in moves} == {"user:leila"}
    times = [_ts(m["at"]) for m in moves]
    assert times == sorted(times)  # type: ignore[type-var]
    assert moves[-1]["body"] == "told by SMS"
    assert last["timeline"][0]["kind"] == "created"

    session.refresh(case)
    assert case.loop_closed_at == closed
    assert case.close_reason == "told by SMS"


def test_a_case_closed_straight_from_new_gets_every_timestamp(
    client: TestClient, session: Session
) -> None:
    headers = auth(make_user(session, "operator"))
    reference = make_case(session).reference
    body = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": "DUPLICATE"}, headers=headers
    ).json()
    assert body["acknowledged_at"] and body["first_action_at"] and body["closed_at"]


def test_s3_referral_closes_and_purges_content(client: TestClient, session: Session) -> None:
    headers = auth(make_user(session, "psea_focal_point"))
    case = make_case(session, category="SEA", description="details of the abuse")
    reference = case.reference
    referred = client.post(
        f"/api/v1/cases/{reference}/status",
        json={"status": "REFERRED_INTERNAL", "reason": "sent to PSEA network"},
        headers=headers,
    ).json()
    assert referred["description"] == "details of the abuse"
    assert referred["first_action_at"] is not None
    closed = client.post(
        f"/api/v1/cases/{reference}/status", json={"status": "CLOSED_REFERRED"}, headers=headers
    ).json()
    assert closed["status"] == "CLOSED_REFERRED" and closed["closed_at"]
    assert closed["description"] is None
    assert all(entry["body"] is None for entry in closed["timeline"])
    assert closed["category"] == "SEA"  # the stub stays
    session.refresh(case)
    assert case.content_purged_at is not None


def test_a_case_raised_to_s3_mid_way_can_still_be_referred(
    client: TestClient, session: Session
) -> None:
    operator = auth(make_user(session, "operator"))
    focal = auth(make_user(session, "psea_focal_point"))
    reference = make_case(session, category="CMN").reference
    for step in ("ACKNOWLEDGED", "IN_PROGRESS"):
        client.post(f"/api/v1/cases/{reference}/status", json={"status": step}, headers=operator)
    raised = client.post(
        f"/api/v1/cases/{reference}/sensitivity",
        json={"sensitivity": "S3", "reason": "the caller described abuse by a guard"},
        headers=operator,
    )
    assert raised.status_code == 200 and raised.json()["still_visible"] is False
    detail = client.get(f"/api/v1/cases/{reference}", headers=focal).json()
    assert detail["allowed_moves"] == ["REFERRED_INTERNAL"]
    for step in ("REFERRED_INTERNAL", "CLOSED_REFERRED"):
        answer = client.post(
            f"/api/v1/cases/{reference}/status", json={"status": step}, headers=focal
        )
        assert answer.status_code == 200
    assert answer.json()["description"] is None
