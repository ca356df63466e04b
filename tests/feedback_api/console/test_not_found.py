"""A console view that finds nothing answers the 404 page, over a real request session.

The page is rendered before the request's session ends (routes.common.not_found_pages):
here each request has its own session that is rolled back and closed, as in production.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.db import make_engine
from tests.factories import csrf_of, login_as, make_user
from tests.feedback_api.helpers import app_on


def test_a_missing_case_or_chat_is_the_404_page_naming_who_is_logged_in(
    fresh_database: str,
) -> None:
    engine = make_engine(fresh_database)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = make_user(session, "operator", "nadia_op")
            client = TestClient(app_on(engine))
            login_as(client, user)
            for method, path in (
                ("get", "/console/cases/1234567"),
                ("post", "/console/cases/1234567/note"),
                ("get", "/console/chat/999"),
                ("post", "/console/handoffs/999/claim"),
            ):
                data = {"csrf_token": csrf_of(client), "text": "x"} if method == "post" else None
                page = client.request(method, path, data=data, follow_redirects=False)
                assert page.status_code == 404, (path, page.text)
                assert "nadia_op" in page.text and page.headers["cache-control"] == "no-store"
            polled = client.get("/console/chat/999/messages.json")
            assert (polled.status_code, polled.json()) == (404, {"detail": "not found"})
    finally:
        engine.dispose()
