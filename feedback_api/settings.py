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

from persian_text import languages

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
DEV_SECRETS_FILE = VAR_DIR / "dev-secrets.env"

SECRET_FIELDS = (
    "secret_key",
    "pseudonym_key",
    "data_key",
    "vault_key",
    "service_token",
    "rasa_api_token",
    "action_server_token",
    "actions_spool_key",
)
FERNET_FIELDS = ("data_key", "vault_key", "actions_spool_key")
# Generated in development too, but optional in production: without it, /metrics answers
# loopback only.
DEV_GENERATED_FIELDS = (*SECRET_FIELDS, "metrics_token")


def _new_secret(name: str) -> str:
    if name in FERNET_FIELDS:
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
    missing = [name for name in DEV_GENERATED_FIELDS if name not in values]
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
    languages_file: Path | None = Field(
        None, description="the language registry; persian_text/languages.yml when unset"
    )
    # Request bodies over these are refused (413) before anything parses them.
    max_body_bytes: int = 1024 * 1024
    max_webhook_body_bytes: int = 64 * 1024

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
    rasa_api_token: SecretStr | None = Field(
        None, description="Rasa's --auth-token: the gateway's calls to Rasa's HTTP API"
    )
    action_server_token: SecretStr | None = Field(
        None, description="Shared secret of Rasa's calls to the action server"
    )
    actions_spool_key: SecretStr | None = Field(
        None, description="Fernet key of the action server's spool (given to it by `make run`)"
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token of /metrics scrapes not from loopback; unset: loopback only"
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

    # Contact data retention (docs/domain.md §2.5; feedback_api/safeguarding/retention.py).
    conversation_retention_days: int = 7
    followup_retention_days_after_close: int = 30
    retention_transcript_days: int = 90
    retention_case_days: int = 365
    retention_restricted_days: int = 0
    retention_interval_hours: float = 6.0

    # Console sessions and login. No account is ever locked: failures are counted per source
    # address (and per address and username) in a window; password checks are rate-limited
    # per process before argon2 runs.
    session_max_age_seconds: int = 12 * 3600
    login_window_minutes: int = 15
    login_failures_per_address: int = 30
    login_failures_per_address_and_user: int = 5
    login_attempts_per_second: float = 5.0

    # Channels (issue 4 names these; the deployer sets them).
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str = "https://api.twilio.com"
    sms_rate_per_second: float = 1.0
    # The local-SIM route: SMS Gateway for Android (local, private-server or cloud mode).
    android_sms_api_url: str | None = Field(
        None, description="the device in local mode (http://192.168.1.10:8080) or a server"
    )
    android_sms_username: str | None = None
    android_sms_password: SecretStr | None = None
    android_sms_signing_key: SecretStr | None = None
    # A consumer SIM sending in bulk gets blocked by its operator: low by default.
    android_sms_rate_per_second: float = 0.5
    sms_provider: Literal["twilio", "android"] = Field(
        "android", description="the route of SMS the service starts itself (closing the loop)"
    )
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa servers sharing a lock store and a tracker store (Redis, PostgreSQL): the
    # gateway spreads turns over them. Empty: RASA_URL alone.
    rasa_urls: Annotated[list[str], NoDecode] = Field(
        default=[], description="Rasa replicas, comma-separated (default: RASA_URL)"
    )
    # Rasa and the action server face the service only: loopback unless a private network.
    rasa_host: str = "127.0.0.1"
    action_server_host: str = "127.0.0.1"
    action_server_port: int = 5055
    rasa_timeout_seconds: float = 20.0
    rasa_tracker_store_url: str | None = Field(
        None,
        description="Rasa's SQL tracker store (SQLAlchemy URL): a deletion request also "
        "removes the person's conversation there",
    )
    # Channel gateway tuning (channels/).
    channels_workers: bool = True
    telegram_rate_per_second: float = 30.0
    telegram_chat_rate_per_second: float = 1.0
    rasa_ack_after_seconds: float = 5.0
    # How long a worker holds a message it took (any number of service processes): longer
    # than a turn can take (a retry's tracker look-up and the turn, each up to
    # RASA_TIMEOUT_SECONDS), so only a crashed worker's messages pass to another.
    inbound_lease_seconds: float = 60.0
    # One sender's flood is stored whole and handled at most this fast, after everyone else
    # (a contact with more than inbound_flood_backlog messages waiting is served last).
    inbound_contact_rate_per_minute: int = 20
    inbound_flood_backlog: int = 5
    # A live chat with no message either way for this long returns to the assistant.
    handoff_idle_minutes: int = 30
    outbox_max_attempts: int = 5
    # Live chat: lines before the handoff an operator sees (the bot turns that led to it).
    chat_context_lines: int = 10
    # A message not sent within this time is marked failed (a stale reply helps no one).
    outbox_expire_hours: int = 24

    @field_validator("business_days", "holidays", "rasa_urls", mode="before")
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
        if self.app_env == "production":
            if missing:
                raise ValueError(
                    "missing secrets in production: " + ", ".join(m.upper() for m in missing)
                )
            self._refuse_unsafe_production()
            return self
        if self.app_env == "development" and self.metrics_token is None:
            missing.append("metrics_token")
        if not missing:
            return self
        generated = ensure_dev_secrets()
        for name in missing:
            setattr(self, name, SecretStr(generated[name]))
        return self

    def _refuse_unsafe_production(self) -> None:
        if not self.public_base_url.startswith("https://"):
            raise ValueError("PUBLIC_BASE_URL must be https in production")
        if DEV_SECRETS_FILE.exists():
            raise ValueError(
                f"a development secrets file exists ({DEV_SECRETS_FILE}): production takes "
                "its secrets from the environment; remove the file"
            )

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        assert isinstance(value, SecretStr)
        return value.get_secret_value()

    @property
    def rasa_servers(self) -> list[str]:
        return [url.rstrip("/") for url in self.rasa_urls] or [self.rasa_url.rstrip("/")]

    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    languages.use(settings.languages_file)
    return settings
