"""`python -m feedback_api users create NAME --role ROLE`, the password on standard input."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from feedback_api.db import make_engine
from feedback_api.settings import ROOT
from tests.feedback_api.helpers import app_on

PASSWORD = "a long enough passphrase"


def _cli(url: str, *args: str, stdin: str = PASSWORD + "\n") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feedback_api", "users", "create", *args],
        input=stdin,
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_create_a_user_who_can_then_log_in(empty_database: str) -> None:
    result = _cli(empty_database, "amina", "--role", "cfm_manager", "--display-name", "Amina K.")
    assert result.returncode == 0, result.stderr
    assert "created amina (cfm_manager)" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr

    engine = make_engine(empty_database)
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT role, display_name, password_hash FROM users WHERE username = 'amina'")
        ).one()
    assert (row.role, row.display_name) == ("cfm_manager", "Amina K.")
    assert row.password_hash.startswith("$argon2") and PASSWORD not in row.password_hash

    client = TestClient(app_on(engine))
    login = client.post("/api/v1/auth/token", data={"username": "amina", "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "amina", "display_name": "Amina K.", "role": "cfm_manager"}
    wrong = client.post("/api/v1/auth/token", data={"username": "amina", "password": "nope"})
    assert wrong.status_code == 401
    engine.dispose()


def test_refusals_are_one_clear_line(fresh_database: str) -> None:
    short = _cli(fresh_database, "bahram", "--role", "operator", stdin="short\n")
    assert short.returncode != 0
    assert "at least 10 characters" in short.stderr and "Traceback" not in short.stderr

    assert _cli(fresh_database, "bahram", "--role", "operator").returncode == 0
    twice = _cli(fresh_database, "bahram", "--role", "operator")
    assert twice.returncode != 0
    assert "exists" in twice.stderr and "Traceback" not in twice.stderr

    bad_role = _cli(fresh_database, "cyrus", "--role", "superuser")
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr

    engine = make_engine(fresh_database)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT username FROM users ORDER BY username")).scalars().all()
    engine.dispose()
    assert names == ["bahram"]


def test_serve_listens_on_the_configured_host_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` without --host used to bind every interface; HOST is loopback unless set."""
    import uvicorn

    from feedback_api import __main__ as cli
    from feedback_api import migrate

    seen: dict[str, object] = {}
    monkeypatch.setattr(migrate, "upgrade", lambda *a, **k: None)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    cli.main(["serve", "--port", "8123"])
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
