"""Typed settings of the action server, read from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, SecretStr


class ActionSettings(BaseSettings):
    feedback_api_url: str = "http://127.0.0.1:8000"
    service_token: SecretStr = SecretStr("")
    # What Rasa sends to this server (actions/server.py); empty refuses to start.
    action_server_token: SecretStr = SecretStr("")
    action_server_host: str = "127.0.0.1"
    action_server_port: int = 5055
    actions_spool_path: Path = Path("var/spool/actions.sqlite3")
    # Fernet key: the spool holds people's words, encrypted at rest. Required.
    actions_spool_key: SecretStr
    # A request the API refused stays this long for a person to look at.
    spool_rejected_days: float = 30.0
    knowledge_dir: Path = Path("bot/data/knowledge")
    # The language registry; persian_text/languages.yml when unset.
    languages_file: Path | None = None
    # Short: the person is waiting; a slow API is treated like a down API
    # (the case is spooled) rather than holding the conversation.
    api_timeout_seconds: float = 5.0
    # The delivery thread of the spool. Off only for tests that drive it by hand.
    actions_spool_worker: bool = True
    spool_retry_base_seconds: float = 2.0
    spool_retry_max_seconds: float = 300.0

    class Config:
        case_sensitive = False


@lru_cache(maxsize=1)
def get_settings() -> ActionSettings:
    return ActionSettings()
