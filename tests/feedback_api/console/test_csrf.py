"""Every state-changing console request needs the CSRF token of its session."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from tests.factories import csrf_of, login_as, make_case, make_handoff, make_user

POSTS = [
    ("/console/cases/{ref}/note", {"text": "note"}),
    ("/console/cases/{ref}/status", {"target": "ACKNOWLEDGED"}),
    ("/console/cases/{ref}/assign", {"assignee": ""}),
    ("/console/cases/{ref}/referral", {"text": "referred"}),
    ("/console/cases/{ref}/message", {"text": "hello"}),
    ("/console/cases/{ref}/reveal", {}),
    ("/console/handoffs/{handoff}/claim", {}),
    ("/console/chat/{handoff}/reply", {"text": "hello"}),
    ("/console/chat/{handoff}/end", {}),
    ("/console/chat/{handoff}/take", {}),
    ("/console/chat/{handoff}/release", {}),
    ("/console/phone", {"category": "INF", "type": "question"}),
    ("/console/logout", {}),
    ("/console/logout-everywhere", {}),
]


@pytest.mark.parametrize(("path", "data"), POSTS)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_post_without_csrf_fails(
    client: TestClient, session: Session, path: str, data: dict[str, str], token: str
) -> None:
    user = make_user(session, "operator")
    case = make_case(session)
    handoff = make_handoff(session)
    login_as(client, user)
    body = dict(data)
    if token == "wrong":
        body["csrf_token"] = "0" * 64
    url = path.format(ref=case.reference, handoff=handoff.id)
    response = client.post(url, data=body, follow_redirects=False)
    assert response.status_code == 403
    session.expire_all()
    fresh = session.get(Case, case.id)
    assert fresh is not None and fresh.status == "NEW" and len(fresh.timeline) == 1


def test_admin_posts_need_csrf(client: TestClient, session: Session) -> None:
    admin = make_user(session, "admin")
    login_as(client, admin)
    data = {"username": "newop", "role": "operator", "password": "long enough pw"}
    assert client.post("/console/admin/users", data=data).status_code == 403
    ok = client.post("/console/admin/users", data={**data, "csrf_token": csrf_of(client)})
    assert ok.status_code == 200 and "newop" in ok.text


def test_csrf_header_is_accepted(client: TestClient, session: Session) -> None:
    user = make_user(session, "operator")
    case = make_case(session)
    csrf = login_as(client, user)
    response = client.post(
        f"/console/cases/{case.reference}/note",
        data={"text": "via header"},
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
