"""The one typed settings object of the service runtime (API, channels, console).

Values come from environment variables and an optional `.env`. In development
mode (the default of `make run`) missing secrets are generated once and kept in
`var/dev-secrets.env`; in production a missing secret stops start-up.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
DEV_SECRETS_FILE = VAR_DIR / "dev-secrets.env"

SECRET_FIELDS = ("secret_key", "pseudonym_key", "data_key", "vault_key", "service_token")


def _new_secret(name: str) -> str:
    if name in ("data_key", "vault_key"):
        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(32)


def ensure_dev_secrets(path: Path = DEV_SECRETS_FILE) -> dict[str, str]:
    """Create (once) and read the development secrets file."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            if value:
                values[key.strip().lower()] = value.strip()
    missing = [name for name in SECRET_FIELDS if name not in values]
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        values.update({name: _new_secret(name) for name in missing})
        path.write_text("".join(f"{k.upper()}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    app_env: Literal["development", "production", "test"] = "development"
    host: str = Field("127.0.0.1", description="where `make run` listens; 0.0.0.0 behind a proxy")
    port: int = 8000
    public_base_url: str = "http://localhost:8000"
    database_url: str = f"sqlite:///{VAR_DIR / 'feedback.db'}"
    log_level: str = "INFO"

    # Secrets: no defaults outside development (see ensure_dev_secrets).
    secret_key: SecretStr | None = None
    pseudonym_key: SecretStr | None = None
    data_key: SecretStr | None = Field(
        None, description="Fernet key(s) for free text, comma-separated, newest first"
    )
    vault_key: SecretStr | None = Field(None, description="Fernet key(s) for the contact vault")
    service_token: SecretStr | None = Field(
        None, description="Bearer token of the bot and the channels"
    )

    # Business-hours calendar for due times.
    business_timezone: str = "Asia/Tehran"
    # NoDecode: the environment gives comma-separated lists (HOLIDAYS=2025-03-20,2025-03-21),
    # which pydantic-settings would otherwise try to read as JSON and refuse.
    business_days: Annotated[list[int], NoDecode] = Field(
        default=[5, 6, 0, 1, 2], description="weekday numbers, Monday=0; default Saturday-Wednesday"
    )
    business_start: dt.time = dt.time(8, 0)
    business_end: dt.time = dt.time(16, 0)
    holidays: Annotated[list[dt.date], NoDecode] = []

    # Contact data retention.
    conversation_retention_days: int = 7
    followup_retention_days_after_close: int = 30

    # Console sessions and login.
    session_max_age_seconds: int = 12 * 3600
    login_max_failures: int = 5
    login_lockout_minutes: int = 15

    # Channels (issue 4 names these; the deployer sets them).
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    sms_rate_per_second: float = 1.0
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 20.0
    rasa_tracker_store_url: str | None = Field(
        None,
        description="Rasa's SQL tracker store (SQLAlchemy URL): a deletion request also "
        "removes the person's conversation there",
    )
    # Channel gateway tuning (channels/).
    channels_default_language: Literal["fa", "prs"] = "fa"
    channels_workers: bool = True
    telegram_rate_per_second: float = 30.0
    telegram_chat_rate_per_second: float = 1.0
    rasa_ack_after_seconds: float = 5.0
    outbox_max_attempts: int = 5

    @field_validator("business_days", "holidays", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _secrets_present(self) -> Settings:
        missing = [name for name in SECRET_FIELDS if getattr(self, name) is None]
        if not missing:
            return self
        if self.app_env == "production":
            raise ValueError(
                "missing secrets in production: " + ", ".join(m.upper() for m in missing)
            )
        generated = ensure_dev_secrets()
        for name in missing:
            setattr(self, name, SecretStr(generated[name]))
        return self

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        assert isinstance(value, SecretStr)
        return value.get_secret_value()

    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
