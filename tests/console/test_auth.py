"""Login, session cookie, CSRF on login, logout everywhere and the lockout."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.console.auth import safe_next
from feedback_api.deps import SESSION_COOKIE
from tests.console.factories import csrf_of, form_csrf, login_as, make_user
from tests.factories import PASSWORD


def _login(client: TestClient, username: str, password: str) -> object:
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": form_csrf(page.text)},
        follow_redirects=False,
    )


def test_not_logged_in_redirects_to_login(client: TestClient) -> None:
    response = client.get("/console/cases?status=NEW", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=%2Fconsole%2Fcases")
    api = client.get("/console/api/notifications.json", follow_redirects=False)
    assert api.status_code == 401


def test_login_sets_a_safe_cookie(client: TestClient, session: Session) -> None:
    make_user(session, "operator", "leila")
    response = _login(client, "leila", PASSWORD)
    assert response.status_code == 303  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/console/").status_code == 200


def test_wrong_password_and_lockout(client: TestClient, session: Session) -> None:
    make_user(session, "operator", "reza")
    for _ in range(5):
        response = _login(client, "reza", "wrong password!")
        assert response.status_code == 401  # type: ignore[attr-defined]
    locked = _login(client, "reza", PASSWORD)
    assert locked.status_code == 401  # type: ignore[attr-defined]
    assert "aap_session" not in locked.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    client.cookies.clear()
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token(client: TestClient, session: Session) -> None:
    make_user(session, "operator", "sara")
    client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": "sara", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_logout_everywhere_ends_every_session(client: TestClient, session: Session) -> None:
    user = make_user(session, "operator")
    login_as(client, user)
    old = client.cookies.get(SESSION_COOKIE)
    response = client.post(
        "/console/logout-everywhere", data={"csrf_token": csrf_of(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    client.cookies.set(SESSION_COOKIE, old or "")
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_logout(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "operator"))
    response = client.post(
        "/console/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]


def test_no_open_redirect() -> None:
    assert safe_next("https://evil.example/") == "/console/"
    assert safe_next("//evil.example/") == "/console/"
    assert safe_next("/console/cases") == "/console/cases"


def test_language_switch(client: TestClient, session: Session) -> None:
    login_as(client, make_user(session, "operator"))
    client.get("/console/lang/en?next=/console/")
    page = client.get("/console/")
    assert 'lang="en" dir="ltr"' in page.text and "Queue" in page.text
    client.get("/console/lang/fa")
    assert 'dir="rtl"' in client.get("/console/").text
