"""Each role sees exactly the cases taxonomy.yml allows; anything else is 404."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import case_reference as references
from feedback_api.audit.models import AuditEntry
from feedback_api.handoff import service as handoffs
from tests.factories import login_as, make_case, make_contact, make_user

# Written out from taxonomy.yml (roles and category sensitivity/route), not computed
# from cases/access.py, so the test checks the rule rather than repeating it.
S0_S1 = {"APP", "INF", "AST", "SUG", "CMN", "CMJ", "RUM", "OOS", "CFM", "OTH"}
EXPECTED = {
    "operator": S0_S1,
    "accountability_staff": S0_S1,
    "cfm_manager": S0_S1 | {"FRD", "MIS", "DPB"},
    "psea_focal_point": {"SEA", "CSG"},
    "protection_focal_point": {"SAF"},
    "data_protection_officer": {"DPB"},
    "admin": set(),
}
ALL = S0_S1 | {"SEA", "CSG", "FRD", "MIS", "SAF", "DPB"}
REF = re.compile(r'href="/console/cases/(\d{8})"')


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_role_sees_exactly_its_cases(client: TestClient, session: Session, role: str) -> None:
    made = {code: make_case(session, category=code, description=f"text of {code}") for code in ALL}
    user = make_user(session, role)
    login_as(client, user)
    expected_refs = {made[code].reference for code in EXPECTED[role]}

    queue = client.get("/console/", follow_redirects=True)
    listed = set(REF.findall(queue.text)) if role != "admin" else set()
    assert listed == expected_refs

    if role != "admin":
        listing = client.get("/console/cases")
        assert set(REF.findall(listing.text)) == expected_refs

    for code, case in made.items():
        page = client.get(f"/console/cases/{case.reference}")
        if code in EXPECTED[role]:
            assert page.status_code == 200, (role, code)
            assert f"text of {code}" in page.text
        else:
            assert page.status_code == 404, (role, code)
            assert f"text of {code}" not in page.text
            # Actions on a case one may not see are 404 too.
            assert client.post(f"/console/cases/{case.reference}/note").status_code in (403, 404)


def test_guessed_references_are_404(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "cfm_manager"))
    for guess in ("12345678", "00000000", "abc", "1234-567", references.generate()):
        assert client.get(f"/console/cases/{guess}").status_code == 404


def test_restricted_reads_are_audited(client: TestClient, session: Session) -> None:
    case = make_case(session, category="FRD")
    user = make_user(session, "cfm_manager")
    login_as(client, user)
    assert client.get(f"/console/cases/{case.reference}").status_code == 200
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.case_id == case.id, AuditEntry.user_id == user.id
        )
    ).all()
    assert "case.read" in actions


def test_handoff_for_s3_case_reaches_only_its_focal_point(
    client: TestClient, session: Session
) -> None:
    contact = make_contact(session, "telegram", "5550001")
    case = make_case(session, category="SEA", contact=contact)
    handoff = handoffs.request_human(session, contact, "sea", case)
    session.commit()
    operator = make_user(session, "operator")
    psea = make_user(session, "psea_focal_point")
    protection = make_user(session, "protection_focal_point")

    login_as(client, operator)
    assert client.get("/console/api/notifications.json").json()["waiting"] == []
    assert client.get(f"/console/chat/{handoff.id}").status_code == 404
    login_as(client, protection)
    assert client.get("/console/api/notifications.json").json()["new_s3"] == []
    login_as(client, psea)
    data = client.get("/console/api/notifications.json").json()
    assert [w["id"] for w in data["waiting"]] == [handoff.id]
    assert [c["reference"] for c in data["new_s3"]] == [case.reference]
    assert client.get(f"/console/chat/{handoff.id}").status_code == 200


def test_handoff_without_case_goes_to_operators(client: TestClient, session: Session) -> None:
    contact = make_contact(session, "telegram", "5550002")
    handoff = handoffs.request_human(session, contact, None, None)
    session.commit()
    login_as(client, make_user(session, "operator"))
    assert [w["id"] for w in client.get("/console/api/notifications.json").json()["waiting"]] == [
        handoff.id
    ]
    login_as(client, make_user(session, "psea_focal_point"))
    assert client.get("/console/api/notifications.json").json()["waiting"] == []


def test_admin_sees_no_case_content(client: TestClient, session: Session) -> None:
    case = make_case(session, description="secret words")
    login_as(client, make_user(session, "admin"))
    assert (
        client.get("/console/", follow_redirects=False).headers["location"].endswith("/admin/users")
    )
    assert client.get(f"/console/cases/{case.reference}").status_code == 404
    assert client.get("/console/cases").status_code == 404
    assert client.get("/console/api/notifications.json").status_code == 404
