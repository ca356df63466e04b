"""Fixtures of the service tests beyond the rolled-back `session`.

`fresh_database` gives a real, committed, migrated database of the backend under
test (a temporary SQLite file, or a throwaway PostgreSQL database) for tests that
need several connections at once, the database file itself, or the CLI.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from feedback_api import migrate
from feedback_api.users import service as users
from tests.conftest import _TMP, BACKEND, PG_ADMIN_URL


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2, with test-sized cost: creating users is most of a test's time otherwise."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def _fresh_url() -> Iterator[str]:
    if BACKEND == "sqlite":
        path = _TMP / f"fresh-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"aap_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def empty_database() -> Iterator[str]:
    """The URL of a new, empty database (no tables)."""
    yield from _fresh_url()


@pytest.fixture
def fresh_database(empty_database: str) -> str:
    """The URL of a new database migrated to the heads; dropped after the test."""
    migrate.upgrade(empty_database)
    return empty_database
