"""`make run`: the whole system on one machine.

Starts the action server and the Rasa server (bot runtime, loopback only) as
child processes and the service in this process; stops them all together.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import uvicorn
from sqlalchemy import select

from feedback_api import migrate
from feedback_api.db import get_sessionmaker
from feedback_api.settings import ROOT, VAR_DIR, get_settings
from feedback_api.users.models import User
from feedback_api.users.service import create_user

BOT_PYTHON = ROOT / ".venv-bot" / "bin"
CREDENTIALS_FILE = VAR_DIR / "initial-credentials.txt"
FIRST_USERS = (("admin", "admin"), ("operator", "operator"), ("manager", "cfm_manager"))


def bootstrap_users() -> None:
    """On the very first run, create console users and say how to log in."""
    with get_sessionmaker()() as session:
        if session.scalar(select(User.id).limit(1)) is not None:
            if CREDENTIALS_FILE.exists():
                print(f"Console users from the first run: {CREDENTIALS_FILE}")
            return
        lines = []
        for username, role in FIRST_USERS:
            password = secrets.token_urlsafe(12)
            create_user(session, username, role, password)
            lines.append(f"{username} ({role}): {password}")
        session.commit()
    CREDENTIALS_FILE.parent.mkdir(parents=True, exist_ok=True)
    CREDENTIALS_FILE.write_text("\n".join(lines) + "\n")
    CREDENTIALS_FILE.chmod(0o600)
    print("First run: console users created (also in var/initial-credentials.txt):")
    for line in lines:
        print("  " + line)


def _latest_model() -> Path | None:
    models = sorted((ROOT / "bot" / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def start_bot(port: int) -> list[subprocess.Popen[bytes]]:
    settings = get_settings()
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bot'}",
        "FEEDBACK_API_URL": f"http://127.0.0.1:{port}",
        "SERVICE_TOKEN": settings.secret("service_token"),
        "ACTIONS_SPOOL_PATH": str(VAR_DIR / "spool" / "actions.sqlite3"),
    }
    rasa = str(BOT_PYTHON / "rasa")
    model = _latest_model()
    if model is None:
        raise SystemExit("no trained model in bot/models: run `make train`")
    rasa_port = settings.rasa_url.rsplit(":", 1)[-1].strip("/")
    actions = subprocess.Popen(  # noqa: S603 (fixed command line)
        [rasa, "run", "actions", "--actions", "actions", "--port", "5055"], cwd=ROOT, env=env
    )
    server = subprocess.Popen(  # noqa: S603
        [
            rasa,
            "run",
            "--enable-api",
            "--model",
            str(model),
            "--port",
            rasa_port,
            "--interface",
            "127.0.0.1",
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ],
        cwd=ROOT / "bot",
        env=env,
    )
    return [actions, server]


def start_telegram_polling() -> list[subprocess.Popen[bytes]]:
    """With a bot token but no public https address, fetch Telegram updates by polling."""
    settings = get_settings()
    if settings.telegram_bot_token is None or settings.public_base_url.startswith("https://"):
        return []
    print("TELEGRAM_BOT_TOKEN is set and there is no public https URL: polling Telegram")
    return [subprocess.Popen([sys.executable, "-m", "channels", "poll"], cwd=ROOT)]


def run_all(host: str, port: int) -> None:
    migrate.upgrade()
    bootstrap_users()
    children = start_bot(port) + start_telegram_polling()

    def stop(*_args: object) -> None:
        for child in children:
            child.terminate()
        deadline = time.monotonic() + 15
        for child in children:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Console: http://{host}:{port}/console/  (Rasa starts in about 30 s)")
    try:
        uvicorn.run("feedback_api.main:app", host=host, port=port, access_log=False)
    finally:
        stop()
