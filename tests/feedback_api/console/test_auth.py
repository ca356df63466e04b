"""Login, session cookie, CSRF on login, logout everywhere and the lockout."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from feedback_api.console.auth import safe_next
from feedback_api.deps import SESSION_COOKIE
from tests.factories import PASSWORD, csrf_of, form_csrf, login_as, make_user


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


def test_a_strangers_wrong_passwords_do_not_lock_a_colleague_out(
    client: TestClient, session: Session
) -> None:
    make_user(session, "operator", "reza")
    for _ in range(5):
        response = _login(client, "reza", "wrong password!")
        assert response.status_code == 401  # type: ignore[attr-defined]
    # The stranger's address is slowed down, for this username, even with the right password...
    throttled = _login(client, "reza", PASSWORD)
    assert throttled.status_code == 429  # type: ignore[attr-defined]
    assert int(throttled.headers["retry-after"]) > 60  # type: ignore[attr-defined]
    assert SESSION_COOKIE not in throttled.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    # ...while reza, at another address, logs in as usual.
    colleague = TestClient(client.app, client=("10.20.30.40", 50000))
    assert _login(colleague, "reza", PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert colleague.get("/console/", follow_redirects=False).status_code == 200


def test_a_known_and_an_unknown_username_get_the_same_answers(
    client: TestClient, session: Session
) -> None:
    make_user(session, "operator", "nasrin")
    answers = {}
    for username in ("nasrin", "nobody-here"):
        seen = []
        for _ in range(6):
            response = _login(client, username, "wrong password!")
            error = re.search(r'<p class="error"[^>]*>([^<]*)</p>', response.text)  # type: ignore[attr-defined]
            seen.append((response.status_code, error.group(1) if error else None))  # type: ignore[attr-defined]
        answers[username] = seen
    assert answers["nasrin"] == answers["nobody-here"]
    assert [status for status, _ in answers["nasrin"]] == [401] * 5 + [429]


def test_logout_ends_the_session_on_the_server(client: TestClient, session: Session) -> None:
    make_user(session, "operator", "omid")
    _login(client, "omid", PASSWORD)
    taken = client.cookies.get(SESSION_COOKIE)
    assert taken and client.get("/console/", follow_redirects=False).status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, taken)  # someone kept a copy of the cookie
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
