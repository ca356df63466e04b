"""Every access to S2/S3 content leaves an audit entry; the audit log cannot be rewritten."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from feedback_api.audit.models import AuditEntry
from feedback_api.cases.models import Case
from tests.factories import auth, make_case, make_user


def _entries(session: Session, case: Case) -> list[tuple[str, str]]:
    session.expire_all()
    return [
        (entry.action, entry.actor)
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
        )
    ]


@pytest.mark.parametrize(
    ("category", "role"),
    [("FRD", "cfm_manager"), ("SEA", "psea_focal_point"), ("DPB", "data_protection_officer")],
)
def test_every_access_to_restricted_cases_is_audited(
    client: TestClient, session: Session, category: str, role: str
) -> None:
    user = make_user(session, role, username=f"{role}-audited")
    other = make_user(session, role, username=f"{role}-other")
    headers = auth(user)
    case = make_case(session, category=category)
    actor = f"user:{user.username}"
    url = f"/api/v1/cases/{case.reference}"

    assert client.get(url, headers=headers).status_code == 200
    assert _entries(session, case) == [("case.read", actor)]

    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert _entries(session, case)[-1] == ("case.list", actor)

    move = "REFERRED_INTERNAL" if category == "SEA" else "ACKNOWLEDGED"
    assert client.post(f"{url}/status", json={"status": move}, headers=headers).status_code == 200
    assert ("case.status", actor) in _entries(session, case)

    assert (
        client.post(f"{url}/notes", json={"text": "called back"}, headers=headers).status_code
        == 201
    )
    assert ("case.note", actor) in _entries(session, case)

    assign = client.post(f"{url}/assign", json={"username": other.username}, headers=headers)
    assert assign.status_code == 200
    assert ("case.assign", actor) in _entries(session, case)

    status_entry = session.scalar(
        select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "case.status")
    )
    assert status_entry is not None
    assert status_entry.detail == {"from_status": "NEW", "to_status": move}
    assert status_entry.user_id == user.id and status_entry.at is not None


@pytest.mark.parametrize("category", ["APP", "CMN"])
def test_reading_open_and_standard_cases_is_not_audited(
    client: TestClient, session: Session, category: str
) -> None:
    headers = auth(make_user(session, "operator"))
    case = make_case(session, category=category)
    assert client.get(f"/api/v1/cases/{case.reference}", headers=headers).status_code == 200
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    assert _entries(session, case) == []


def test_a_refused_look_at_a_hidden_case_reveals_nothing_and_logs_nothing(
    client: TestClient, session: Session
) -> None:
    headers = auth(make_user(session, "operator"))
    case = make_case(session, category="SEA")
    assert client.get(f"/api/v1/cases/{case.reference}", headers=headers).status_code == 404
    assert _entries(session, case) == []


def test_only_the_data_protection_officer_reads_the_audit_log(
    client: TestClient, session: Session
) -> None:
    case = make_case(session, category="MIS")
    manager = auth(make_user(session, "cfm_manager"))
    client.get(f"/api/v1/cases/{case.reference}", headers=manager)
    dpo = auth(make_user(session, "data_protection_officer"))
    log = client.get("/api/v1/audit", headers=dpo)
    assert log.status_code == 200
    assert [(e["action"], e["case_id"]) for e in log.json()] == [("case.read", case.id)]
    for role in ("cfm_manager", "admin", "operator"):
        assert (
            client.get("/api/v1/audit", headers=auth(make_user(session, role))).status_code == 404
        )


def _refused(session: Session, statement: str, **params: object) -> None:
    with pytest.raises(DBAPIError) as error, session.begin_nested():
        session.execute(text(statement), params)
    assert "append-only" in str(error.value)


def test_the_audit_log_refuses_update_and_delete_at_the_database(
    client: TestClient, session: Session
) -> None:
    case = make_case(session, category="FRD")
    client.get(f"/api/v1/cases/{case.reference}", headers=auth(make_user(session, "cfm_manager")))
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.case_id == case.id))
    _refused(session, "UPDATE audit_log SET action = 'nothing' WHERE case_id = :id", id=case.id)
    _refused(session, "UPDATE audit_log SET detail = '{}'")
    _refused(session, "DELETE FROM audit_log WHERE case_id = :id", id=case.id)
    _refused(session, "DELETE FROM audit_log")
    session.expire_all()
    assert _entries(session, case)[0][0] == "case.read"


def test_the_case_timeline_takes_only_redactions(session: Session) -> None:
    case = make_case(session, category="CMN")
    user = make_user(session, "operator")
    from feedback_api.cases import service

    note = service.add_note(session, case, "the caller's neighbour knows", user=user)
    session.commit()
    _refused(session, "UPDATE case_timeline SET kind = 'created' WHERE id = :id", id=note.id)
    _refused(session, "UPDATE case_timeline SET actor = 'someone' WHERE id = :id", id=note.id)
    _refused(
        session, "UPDATE case_timeline SET body = NULL WHERE id = :id", id=note.id
    )  # blanking without marking the redaction
    _refused(session, "DELETE FROM case_timeline WHERE id = :id", id=note.id)
    _refused(  # a redaction may not rewrite where the case went
        session,
        "UPDATE case_timeline SET body = NULL, redacted_at = at, to_status = 'CLOSED_LOOP' "
        "WHERE case_id = :case_id AND kind = 'created'",
        case_id=case.id,
    )
    with session.begin_nested():
        session.execute(
            text("UPDATE case_timeline SET body = NULL, redacted_at = :now WHERE id = :id"),
            {"id": note.id, "now": case.created_at},
        )
    session.expire_all()
    entry = session.get(type(note), note.id)
    assert entry is not None and entry.body is None and entry.redacted_at is not None
