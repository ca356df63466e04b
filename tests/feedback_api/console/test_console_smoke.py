from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import login_as, make_case, make_user


def test_queue_renders(client: TestClient, session: Session) -> None:
    user = make_user(session, "operator")
    make_case(session)
    login_as(client, user)
    response = client.get("/console/")
    assert response.status_code == 200, response.text
    assert 'dir="rtl"' in response.text
