"""Typed settings of the action server, read from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseSettings, SecretStr


class ActionSettings(BaseSettings):
    feedback_api_url: str = "http://127.0.0.1:8000"
    service_token: SecretStr = SecretStr("")
    actions_spool_path: Path = Path("var/spool/actions.sqlite3")
    knowledge_dir: Path = Path("bot/data/knowledge")
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
