"""Who sees what: every role against every sensitivity level and the categories that route it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.cases.access import can_see, visible_filter
from feedback_api.cases.models import Case
from feedback_api.taxonomy import Role, load_taxonomy
from tests.factories import auth, make_case, make_user

# (sensitivity, category): each category at its own level, and cases raised by hand,
# including S3 cases of categories that have no S3 route (they go to both focal points).
CELLS = [
    *[("S0", c) for c in ("APP", "INF", "SUG", "RUM", "CFM")],
    *[("S1", c) for c in ("AST", "CMN", "CMJ", "OOS", "OTH")],
    *[("S1", c) for c in ("APP",)],  # raised from S0
    *[("S2", c) for c in ("FRD", "MIS", "DPB", "CMN")],  # CMN raised
    *[("S3", c) for c in ("SEA", "CSG", "SAF", "CMN", "FRD", "DPB")],  # last three raised
]

# The matrix of docs/domain.md §1.6.1 and taxonomy.yml `roles`, written out by hand.
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "operator": {cell for cell in CELLS if cell[0] in ("S0", "S1")},
    "accountability_staff": {cell for cell in CELLS if cell[0] in ("S0", "S1")},
    "cfm_manager": {cell for cell in CELLS if cell[0] in ("S0", "S1", "S2")},
    "psea_focal_point": {("S3", c) for c in ("SEA", "CSG", "CMN", "FRD", "DPB")},
    "protection_focal_point": {("S3", c) for c in ("SAF", "CMN", "FRD", "DPB")},
    "data_protection_officer": {("S2", "DPB")},
    "admin": set(),
}


def test_the_matrix_covers_every_role() -> None:
    assert set(EXPECTED) == {role.value for role in Role}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_can_see_matches_the_matrix(role: str) -> None:
    for sensitivity, category in CELLS:
        assert can_see(role, sensitivity, category) is ((sensitivity, category) in EXPECTED[role])


def _make_cells(session: Session) -> dict[tuple[str, str], str]:
    made = {}
    for sensitivity, category in CELLS:
        case = make_case(session, category=category, sensitivity=sensitivity)
        assert case.sensitivity == sensitivity
        made[(sensitivity, category)] = case.reference
    return made


def _unused_reference(session: Session) -> str:
    while True:
        reference = references.generate()
        if not session.scalar(select(Case.id).where(Case.reference == reference)):
            return reference


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_cell_through_the_api(client: TestClient, session: Session, role: str) -> None:
    cells = _make_cells(session)
    headers = auth(make_user(session, role))
    expected = {cells[cell] for cell in EXPECTED[role]}

    listed = client.get("/api/v1/cases", params={"limit": 500}, headers=headers).json()
    assert {item["reference"] for item in listed["items"]} == expected
    assert listed["total"] == len(expected)

    not_found = client.get(f"/api/v1/cases/{_unused_reference(session)}", headers=headers)
    assert not_found.status_code == 404
    for cell, reference in cells.items():
        for shown in (reference, references.display(reference)):
            answer = client.get(f"/api/v1/cases/{shown}", headers=headers)
            if cell in EXPECTED[role]:
                assert answer.status_code == 200, cell
                assert answer.json()["description"] == "The distribution skipped our street."
            else:
                # Exactly like a reference that does not exist: nothing to learn by guessing.
                assert answer.status_code == 404, cell
                assert answer.json() == not_found.json()


@pytest.mark.parametrize("role", ["operator", "data_protection_officer", "admin"])
def test_hidden_cases_cannot_be_changed_either(
    client: TestClient, session: Session, role: str
) -> None:
    headers = auth(make_user(session, role))
    hidden = make_case(session, category="SEA").reference
    calls = [
        ("status", {"status": "REFERRED_INTERNAL"}),
        ("notes", {"text": "a note"}),
        ("assign", {"username": None}),
        ("sensitivity", {"sensitivity": "S3", "reason": "probe"}),
    ]
    for path, body in calls:
        answer = client.post(f"/api/v1/cases/{hidden}/{path}", json=body, headers=headers)
        assert answer.status_code == 404, path
    session.expire_all()
    case = session.scalar(select(Case).where(Case.reference == hidden))
    assert case is not None and case.status == "NEW" and len(case.timeline) == 1


def test_a_wrong_or_malformed_reference_also_answers_404_for_staff(
    client: TestClient, session: Session
) -> None:
    headers = auth(make_user(session, "cfm_manager"))
    reference = make_case(session).reference
    typo = reference[:7] + str((int(reference[7]) + 1) % 10)
    for probe in (typo, "abc", "1234"):
        assert client.get(f"/api/v1/cases/{probe}", headers=headers).status_code == 404


def test_the_sql_filter_agrees_with_can_see_for_every_category_and_level(session: Session) -> None:
    made: dict[str, tuple[str, str]] = {}
    for category in load_taxonomy().categories:
        for sensitivity in ("S0", "S1", "S2", "S3"):
            case = make_case(session, category=category)
            case.sensitivity = sensitivity  # every cell, even below the category's level
            made[case.reference] = (sensitivity, category)
    session.flush()
    assert len(made) == 4 * len(load_taxonomy().categories)
    for role in Role:
        visible = set(
            session.scalars(
                select(Case.reference).where(
                    Case.reference.in_(list(made)), visible_filter(role.value)
                )
            )
        )
        expected = {ref for ref, (sens, cat) in made.items() if can_see(role.value, sens, cat)}
        assert visible == expected, role
    assert any(can_see(role.value, "S3", "SEA") for role in Role)  # not vacuous


def test_no_request_without_login(client: TestClient, session: Session) -> None:
    reference = make_case(session).reference
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{reference}").status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get(f"/api/v1/cases/{reference}", headers=bad).status_code == 401
