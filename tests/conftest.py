"""Test set-up for the service runtime.

The database backend is chosen by TEST_DB (`sqlite`, the default, or
`postgresql`); scripts/test.sh runs the suite once for each. Every test runs
inside a transaction that is rolled back at its end.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet

BACKEND = os.environ.get("TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_TMP = Path(tempfile.mkdtemp(prefix="aap-tests-"))
_PG_NAME = f"aap_test_{uuid.uuid4().hex[:10]}"

os.environ.update(
    APP_ENV="test",
    SECRET_KEY=secrets.token_urlsafe(32),
    PSEUDONYM_KEY=secrets.token_urlsafe(32),
    DATA_KEY=Fernet.generate_key().decode(),
    VAULT_KEY=Fernet.generate_key().decode(),
    SERVICE_TOKEN=secrets.token_urlsafe(24),
    ACTIONS_SPOOL_KEY=Fernet.generate_key().decode(),
    RASA_API_TOKEN=secrets.token_urlsafe(24),
    ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
    DATABASE_URL=(
        f"sqlite:///{_TMP / 'test.db'}"
        if BACKEND == "sqlite"
        else PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{_PG_NAME}"
    ),
)

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from feedback_api import migrate  # noqa: E402
from feedback_api.db import get_engine  # noqa: E402
from feedback_api.deps import get_session  # noqa: E402
from feedback_api.settings import get_settings  # noqa: E402
from persian_text import languages  # noqa: E402
from tests.third_language import pashto_registered  # noqa: E402


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    if BACKEND == "postgresql":
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{_PG_NAME}"'))
    engine = get_engine()
    migrate.upgrade()
    yield engine
    engine.dispose()
    if BACKEND == "postgresql":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{_PG_NAME}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    `session.commit()` (factories, request handlers) only releases a savepoint,
    so a failed request rolls back to the last commit, as in production.
    """
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    from feedback_api.main import build_app

    app = build_app()

    def test_session() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    app.dependency_overrides[get_session] = test_session
    yield TestClient(app)


@pytest.fixture
def service_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {get_settings().secret('service_token')}"}


@pytest.fixture
def pashto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[languages.Registry]:
    """A third language, Pashto, registered by fixture data only (tests/third_language.py)."""
    with pashto_registered(tmp_path) as registry:
        monkeypatch.setenv(languages.ENV_VAR, str(registry.source))
        yield registry


@pytest.fixture(autouse=True)
def _fresh_login_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-process rate of password checks starts full in every test."""
    from feedback_api.users import throttle

    monkeypatch.setattr(throttle, "password_checks", throttle._Rate())
