"""Settings: production refuses to start without secrets; development makes them once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from feedback_api import settings as settings_module
from feedback_api.settings import (
    DEV_GENERATED_FIELDS,
    ROOT,
    SECRET_FIELDS,
    Settings,
    ensure_dev_secrets,
)


@pytest.fixture
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_FIELDS:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def dev_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "var" / "dev-secrets.env"
    real = ensure_dev_secrets
    monkeypatch.setattr(settings_module, "ensure_dev_secrets", lambda: real(path))
    monkeypatch.setattr(settings_module, "DEV_SECRETS_FILE", path)
    return path


@pytest.fixture
def production(no_secrets: None, dev_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Production with every secret set and an https address: the settings load."""
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://feedback.example.org")
    for name in SECRET_FIELDS:
        monkeypatch.setenv(name.upper(), Fernet.generate_key().decode())


def test_production_without_secrets_refuses(
    no_secrets: None, dev_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ValidationError) as error:
        Settings(_env_file=None)
    message = str(error.value)
    for name in SECRET_FIELDS:
        assert name.upper() in message
    assert not dev_file.exists()  # nothing generated behind the operator's back


@pytest.mark.parametrize("name", ["VAULT_KEY", "RASA_API_TOKEN", "ACTION_SERVER_TOKEN"])
def test_production_names_the_one_missing_secret(
    production: None, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    value = os.environ[name]
    monkeypatch.delenv(name)
    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None)
    monkeypatch.setenv(name, value)
    assert Settings(_env_file=None).app_env == "production"


def test_production_refuses_an_http_public_address(
    production: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://feedback.example.org")
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL must be https"):
        Settings(_env_file=None)


def test_production_refuses_a_development_secrets_file(production: None, dev_file: Path) -> None:
    ensure_dev_secrets(dev_file)  # left over from running the checkout in development
    with pytest.raises(ValidationError, match="development secrets file"):
        Settings(_env_file=None)
    dev_file.unlink()
    assert Settings(_env_file=None).app_env == "production"


def test_development_generates_secrets_once(
    no_secrets: None, dev_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    first = Settings(_env_file=None)
    assert dev_file.exists()
    assert dev_file.stat().st_mode & 0o777 == 0o600
    second = Settings(_env_file=None)
    for name in SECRET_FIELDS:
        assert first.secret(name) == second.secret(name)
        assert len(first.secret(name)) >= 32
    Fernet(first.secret("data_key").encode())  # valid Fernet keys
    Fernet(first.secret("vault_key").encode())
    assert first.secret("data_key") != first.secret("vault_key")
    assert len(dev_file.read_text().splitlines()) == len(DEV_GENERATED_FIELDS)
    assert len(first.secret("metrics_token")) >= 32


def test_a_secret_from_the_environment_wins_over_the_generated_one(
    no_secrets: None, dev_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("SERVICE_TOKEN", "from-the-environment")
    assert Settings(_env_file=None).secret("service_token") == "from-the-environment"


def test_lists_read_from_the_environment_as_csv_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOLIDAYS", "2025-03-20,2025-03-21")
    monkeypatch.setenv("BUSINESS_DAYS", "[5, 6, 0]")
    settings = Settings(_env_file=None)
    assert [d.isoformat() for d in settings.holidays] == ["2025-03-20", "2025-03-21"]
    assert settings.business_days == [5, 6, 0]


def test_postgresql_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://aap@db/feedback")
    assert Settings(_env_file=None).sqlalchemy_url == "postgresql+psycopg://aap@db/feedback"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_service_does_not_start_in_production_without_secrets(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.lower() not in SECRET_FIELDS}
    env.update(APP_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'prod.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "feedback_api", "serve", "--port", str(_free_port())],
        env=env,
        cwd=tmp_path,  # no .env here
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "missing secrets in production" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert not (tmp_path / "prod.db").exists()
    assert ROOT.exists()
