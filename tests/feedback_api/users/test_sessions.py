"""Logins throttled before argon2, server-side sessions, and the cookie on the JSON API."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from feedback_api.cases.models import Case
from feedback_api.settings import ROOT, get_settings
from feedback_api.users import service as users
from feedback_api.users.models import User, UserSession
from tests.factories import PASSWORD, auth, csrf_of, login_as, make_case, make_user, token_for


class CountingHasher(PasswordHasher):
    """Test-sized argon2 that remembers every verification (by the hash compared with)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.seen: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Any:
        self.seen.append(str(hash))
        return super().verify(hash, password)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hasher = CountingHasher()
    monkeypatch.setattr(users, "_hasher", hasher)
    return hasher.seen


def _token(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_unknown_inactive_and_wrong_cost_one_check_each_and_answer_alike(
    client: TestClient, session: Session, checks: list[str]
) -> None:
    make_user(session, "operator", "parisa")
    gone = make_user(session, "operator", "kamran")
    users.deactivate(session, gone)
    session.commit()
    answers = []
    for name in ("parisa", "kamran", "nobody"):
        before = len(checks)
        response = _token(client, name, "not the password")
        answers.append((response.status_code, response.json()))
        assert len(checks) == before + 1
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][1]["detail"]["code"] == "bad_credentials"


def test_a_throttled_address_never_reaches_argon2(
    client: TestClient, session: Session, checks: list[str]
) -> None:
    make_user(session, "operator", "sima")
    for _ in range(5):
        assert _token(client, "sima", "wrong password").status_code == 401
    before = len(checks)
    throttled = _token(client, "sima", PASSWORD)
    assert throttled.status_code == 429 and throttled.headers["retry-after"].isdigit()
    assert len(checks) == before
    # Another username from this address is not throttled until the address limit.
    assert _token(client, "someone-else", "wrong").status_code == 401


def test_the_address_limit_counts_every_username(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "login_failures_per_address", 6)
    for n in range(6):
        assert _token(client, f"guess{n}", "wrong").status_code == 401
    assert _token(client, "guess-next", "wrong").status_code == 429
    make_user(session, "operator", "arash")
    elsewhere = TestClient(client.app, client=("192.0.2.7", 40000))
    assert _token(elsewhere, "arash").status_code == 200


def test_password_checks_are_rate_limited_per_process(
    client: TestClient, session: Session, checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "login_attempts_per_second", 0.01)  # a burst of 1
    make_user(session, "operator", "dariush")
    assert _token(client, "dariush").status_code == 200
    other = TestClient(client.app, client=("192.0.2.8", 40000))
    busy = _token(other, "dariush")
    assert busy.status_code == 429 and busy.json()["detail"]["code"] == "too_many_requests"
    assert len(checks) == 1


def test_tokens_are_stored_as_hashes_only(session: Session) -> None:
    user = make_user(session, "operator")
    token = token_for(user)
    stored = session.scalars(select(UserSession.token_hash)).all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_an_api_token_ends_at_logout(client: TestClient, session: Session) -> None:
    make_user(session, "operator", "farid")
    token = _token(client, "farid").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_logout_everywhere_ends_tokens_and_console_sessions(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, "operator")
    headers = auth(user)
    login_as(client, user)
    assert client.post("/api/v1/auth/logout-everywhere", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_a_new_password_and_deactivation_end_sessions(client: TestClient, session: Session) -> None:
    admin = make_user(session, "admin")
    target = make_user(session, "operator")
    other = make_user(session, "operator")
    target_headers, other_headers = auth(target), auth(other)
    login_as(client, admin)
    changed = client.post(
        f"/console/admin/users/{target.id}/password",
        data={"password": "a brand new passphrase", "csrf_token": csrf_of(client)},
    )
    assert changed.status_code == 200
    assert client.get("/api/v1/auth/me", headers=target_headers).status_code == 401
    assert _token(client, target.username, "a brand new passphrase").status_code == 200
    client.post(
        f"/console/admin/users/{other.id}/active",
        data={"active": "false", "csrf_token": csrf_of(client)},
    )
    assert client.get("/api/v1/auth/me", headers=other_headers).status_code == 401


def test_a_short_new_password_is_refused(client: TestClient, session: Session) -> None:
    target = make_user(session, "operator")
    headers = auth(target)
    login_as(client, make_user(session, "admin"))
    refused = client.post(
        f"/console/admin/users/{target.id}/password",
        data={"password": "short", "csrf_token": csrf_of(client)},
    )
    assert refused.status_code == 422
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_set_password_on_the_command_line_ends_sessions(fresh_database: str) -> None:
    from feedback_api.db import make_engine

    engine = make_engine(fresh_database)
    with Session(engine) as db:
        user = users.create_user(db, "roya", "operator", PASSWORD)
        users.issue_token(db, user)
        db.commit()
    result = subprocess.run(
        [sys.executable, "-m", "feedback_api", "users", "set-password", "roya"],
        input="another long passphrase\n",
        env={**os.environ, "DATABASE_URL": fresh_database},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM user_sessions")).scalar() == 0
    engine.dispose()


def test_the_json_api_takes_a_cookie_only_with_the_csrf_header(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, "cfm_manager")
    case = make_case(session)
    csrf = login_as(client, user)
    url = f"/api/v1/cases/{case.reference}/notes"
    refused = client.post(url, json={"text": "from another site"})
    assert refused.status_code == 403 and refused.json()["detail"]["code"] == "csrf_required"
    wrong = client.post(url, json={"text": "x"}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    session.expire_all()
    assert len(session.get(Case, case.id).timeline) == 1  # type: ignore[union-attr]
    assert (
        client.post(url, json={"text": "mine"}, headers={"X-CSRF-Token": csrf}).status_code == 201
    )
    assert client.get(f"/api/v1/cases/{case.reference}").status_code == 200  # reading is safe
    client.cookies.clear()
    assert client.post(url, json={"text": "api"}, headers=auth(user)).status_code == 201


def test_a_deactivated_user_cannot_log_in(client: TestClient, session: Session) -> None:
    user = make_user(session, "operator", "golnar")
    users.deactivate(session, user)
    session.commit()
    assert session.scalar(select(User.is_active).where(User.id == user.id)) is False
    assert _token(client, "golnar").status_code == 401
