"""`make run`: the whole system on one machine.

Starts the action server and the Rasa server (bot runtime, loopback unless
RASA_HOST / ACTION_SERVER_HOST name a private network) as child processes and
the service in this process; stops them all together. Rasa's HTTP API takes
RASA_API_TOKEN, the action server ACTION_SERVER_TOKEN.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
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


# Rasa takes its API token only on the command line, where `ps` shows it to every user of
# the machine: hand it over inside the process instead (the environment is private; the
# gateway channel reads the same token from it, through bot/credentials.yml).
RASA_MAIN = (
    "import os, sys; from rasa.__main__ import main; "
    "sys.argv += ['--auth-token', os.environ['RASA_API_TOKEN']]; main()"
)


def rasa_server_command(
    python: Path, model: Path, host: str, port: int, endpoints: Path, credentials: Path
) -> list[str]:
    """`rasa run` with the HTTP API behind RASA_API_TOKEN (read from the environment)."""
    return [
        str(python),
        "-c",
        RASA_MAIN,
        "run",
        "--enable-api",
        "--model",
        str(model),
        "--interface",
        host,
        "--port",
        str(port),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
    ]


def bot_environment(service_port: int) -> dict[str, str]:
    """What the action server and Rasa read: the secrets they share with the service."""
    settings = get_settings()
    return {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bot'}",
        "FEEDBACK_API_URL": f"http://127.0.0.1:{service_port}",
        "SERVICE_TOKEN": settings.secret("service_token"),
        "ACTIONS_SPOOL_KEY": settings.secret("actions_spool_key"),
        "ACTION_SERVER_TOKEN": settings.secret("action_server_token"),
        "ACTION_SERVER_HOST": settings.action_server_host,
        "ACTION_SERVER_PORT": str(settings.action_server_port),
        "RASA_API_TOKEN": settings.secret("rasa_api_token"),
        "ACTIONS_SPOOL_PATH": str(VAR_DIR / "spool" / "actions.sqlite3"),
    }


def start_bot(port: int) -> list[subprocess.Popen[bytes]]:
    settings = get_settings()
    env = bot_environment(port)
    model = _latest_model()
    if model is None:
        raise SystemExit("no trained model in bot/models: run `make train`")
    rasa_port = int(settings.rasa_url.rsplit(":", 1)[-1].strip("/"))
    actions = subprocess.Popen(  # noqa: S603 (fixed command line)
        [str(BOT_PYTHON / "python"), "-m", "actions.server"], cwd=ROOT, env=env
    )
    server = subprocess.Popen(  # noqa: S603
        rasa_server_command(
            BOT_PYTHON / "python",
            model,
            settings.rasa_host,
            rasa_port,
            ROOT / "bot" / "endpoints.yml",
            ROOT / "bot" / "credentials.yml",
        ),
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


def announce_when_ready(
    url: str, every: float = 2.0, remind_after: float = 60.0, give_up_after: float = 900.0
) -> bool:
    """Poll `/ready` until the assistant can answer and say so in one line; every minute
    before that, say which parts are not ready yet. False when it never became ready."""
    started = last_reminder = time.monotonic()
    while time.monotonic() - started < give_up_after:
        try:
            response = httpx.get(url, timeout=5.0)
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code == 200:
            waited = time.monotonic() - started
            print(f"Ready: the assistant answers now ({waited:.0f} s after start).", flush=True)
            return True
        if response is not None and time.monotonic() - last_reminder >= remind_after:
            waiting = [
                f"{name} {state}"
                for name, state in response.json().get("components", {}).items()
                if state != "ready"
            ]
            print("Not ready yet: " + ", ".join(waiting), flush=True)
            last_reminder = time.monotonic()
        time.sleep(every)
    print(f"The assistant is still not ready after {give_up_after:.0f} s: see {url}", flush=True)
    return False


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
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 (not a bind)
    threading.Thread(
        target=announce_when_ready, args=(f"http://{local}:{port}/ready",), daemon=True
    ).start()
    try:
        uvicorn.run("feedback_api.main:app", host=host, port=port, access_log=False)
    finally:
        stop()
