"""End to end: the real service, the action server and Rasa with a trained model, and
local stubs of Telegram's Bot API, Twilio's REST API and the SMS Gateway for Android's
API recording what they receive.

Run with `pytest -m e2e tests/e2e` (skipped otherwise, and when bot/models is empty).
Every process gets a free port and the temporary directory its databases: the
service's SQLite file, the action server's spool and Rasa's SQL tracker store.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine

from feedback_api.runner import rasa_server_command
from tests.stubs import android_sms as android_stub
from tests.stubs import telegram as telegram_stub
from tests.stubs import twilio as twilio_stub
from tests.stubs.base import Stub

ROOT = Path(__file__).resolve().parents[2]
BOT_BIN = ROOT / ".venv-bot" / "bin"
SERVICE_PYTHON = ROOT / ".venv" / "bin" / "python"
T = TypeVar("T")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = "e2e" in (config.getoption("-m") or "") or os.environ.get("RUN_E2E") == "1"
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not wanted:
                item.add_marker(pytest.mark.skip(reason="end to end: run with -m e2e"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def latest_model() -> Path | None:
    models = sorted((ROOT / "bot" / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def wait_for(check: Callable[[], T], timeout: float = 60, every: float = 0.3, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except Exception:  # not up yet
            value = None  # type: ignore[assignment]
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(every)


@dataclass
class System:
    tmp: Path
    env: dict[str, str]
    service_url: str
    rasa_port: int
    action_port: int
    tg: Stub
    twilio: Stub
    android: Stub
    db: Engine
    tracker_db: Path
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Every phone number and Telegram id used, to look for in Rasa's tracker store.
    identifiers: set[str] = field(default_factory=set)

    def start(self, name: str, port: int | None = None) -> None:
        """`service`, `actions` or `rasa`; a second one of a kind as `rasa-2` with its port."""
        kind = name.split("-")[0]
        log = (self.logs / f"{name}.log").open("ab")
        if kind == "service":
            cmd = [
                str(SERVICE_PYTHON),
                "-m",
                "feedback_api",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port or self.service_url.rsplit(":", 1)[1]),
            ]
            cwd = ROOT
        elif kind == "actions":
            cmd = [
                str(BOT_BIN / "python"),
                "-m",
                "actions.server",
                "--port",
                str(port or self.action_port),
            ]
            cwd = ROOT
        else:
            model = latest_model()
            assert model is not None
            cmd = rasa_server_command(
                BOT_BIN / "python",
                model,
                "127.0.0.1",
                port or self.rasa_port,
                self.tmp / "endpoints.yml",
                ROOT / "bot" / "credentials.yml",
            )
            cwd = ROOT / "bot"
        self.procs[name] = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def rasa_up(self) -> bool:
        r = httpx.get(
            f"http://127.0.0.1:{self.rasa_port}/status",
            params={"token": self.env["RASA_API_TOKEN"]},
            timeout=2,
        )
        return r.status_code == 200 and bool(r.json().get("model_file"))

    def wait_rasa(self) -> None:
        wait_for(self.rasa_up, timeout=240, every=1, what="rasa")

    # --- talking to the service like the providers do ---------------------------
    def telegram(self, update: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{self.service_url}/webhooks/telegram",
            json=update,
            timeout=10,
            headers={"X-Telegram-Bot-Api-Secret-Token": self.env["TELEGRAM_WEBHOOK_SECRET"]},
        )

    def sms(self, form: dict[str, str]) -> httpx.Response:
        from twilio.request_validator import RequestValidator

        url = f"{self.service_url}/webhooks/twilio/sms"
        signature = RequestValidator(self.env["TWILIO_AUTH_TOKEN"]).compute_signature(url, form)
        return httpx.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10)

    def android_sms(self, body: bytes, *, key: str | None = None) -> httpx.Response:
        from channels.providers.android_sms import signature

        stamp = str(int(time.time()))
        sig = signature(key or self.env["ANDROID_SMS_SIGNING_KEY"], body, stamp)
        return httpx.post(
            f"{self.service_url}/webhooks/android-sms",
            content=body,
            headers={"X-Signature": sig, "X-Timestamp": stamp, "Content-Type": "application/json"},
            timeout=10,
        )

    def sent_android(self, number: str) -> list[dict[str, Any]]:
        return [
            c["params"]
            for c in self.android.calls("/messages")
            if c["params"].get("phoneNumbers") == [number]
        ]

    def sent_telegram(self, chat_id: int) -> list[dict[str, Any]]:
        return [
            c["params"]
            for c in self.tg.calls("sendMessage")
            if str(c["params"].get("chat_id")) == str(chat_id)
        ]

    def sent_sms(self, number: str) -> list[dict[str, Any]]:
        return [
            c["params"]
            for c in self.twilio.calls("Messages.json")
            if c["params"].get("To") == number
        ]


def environment(
    tmp: Path,
    *,
    service_port: int,
    rasa_url: str,
    stubs: dict[str, str],
    database_url: str,
    tracker_store_url: str,
) -> dict[str, str]:
    """What every process of the system reads (fresh secrets, stubs for the providers)."""
    service_url = f"http://127.0.0.1:{service_port}"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_"))}
    return base | {
        "APP_ENV": "test",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": Fernet.generate_key().decode(),
        "VAULT_KEY": Fernet.generate_key().decode(),
        "SERVICE_TOKEN": secrets.token_urlsafe(24),
        "RASA_API_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "DATABASE_URL": database_url,
        "PORT": str(service_port),
        "PUBLIC_BASE_URL": service_url,
        "RASA_URL": rasa_url,
        "RASA_TIMEOUT_SECONDS": "30",
        "RASA_ACK_AFTER_SECONDS": "8",
        "TELEGRAM_BOT_TOKEN": "123456:TEST",
        "TELEGRAM_WEBHOOK_SECRET": secrets.token_urlsafe(16),
        "TELEGRAM_API_BASE_URL": stubs["telegram"],
        "TWILIO_ACCOUNT_SID": "AC" + "e" * 32,
        "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
        "TWILIO_FROM_NUMBER": "+15005550006",
        "TWILIO_API_BASE_URL": stubs["twilio"],
        "SMS_RATE_PER_SECOND": "10",
        "ANDROID_SMS_API_URL": stubs["android"],
        "ANDROID_SMS_USERNAME": "sms",
        "ANDROID_SMS_PASSWORD": secrets.token_urlsafe(12),
        "ANDROID_SMS_SIGNING_KEY": secrets.token_urlsafe(24),
        "ANDROID_SMS_RATE_PER_SECOND": "10",
        "SMS_PROVIDER": "android",
        "FEEDBACK_API_URL": service_url,
        "ACTIONS_SPOOL_PATH": str(tmp / "spool.sqlite3"),
        "ACTIONS_SPOOL_KEY": Fernet.generate_key().decode(),
        "RASA_TRACKER_STORE_URL": tracker_store_url,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bot'}",
    }


@pytest.fixture(scope="session")
def system() -> Iterator[System]:
    if latest_model() is None:
        pytest.skip("no trained model in bot/models (make train)")
    if not (BOT_BIN / "rasa").exists():
        pytest.skip("no bot runtime (.venv-bot)")
    tmp = Path(tempfile.mkdtemp(prefix="aap-e2e-"))
    logs = tmp / "logs"
    logs.mkdir()
    tg, twilio = telegram_stub.make_stub(), twilio_stub.make_stub()
    android = android_stub.make_stub()
    tg_url, twilio_url, android_url = tg.start(), twilio.start(), android.start()
    service_port, rasa_port, action_port = free_port(), free_port(), free_port()
    tracker_db = tmp / "tracker.db"
    (tmp / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n"
    )
    service_url = f"http://127.0.0.1:{service_port}"
    env = environment(
        tmp,
        service_port=service_port,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        stubs={"telegram": tg_url, "twilio": twilio_url, "android": android_url},
        database_url=f"sqlite:///{tmp / 'service.db'}",
        tracker_store_url=f"sqlite:///{tracker_db}",
    )
    sys_ = System(
        tmp=tmp,
        env=env,
        service_url=service_url,
        rasa_port=rasa_port,
        action_port=action_port,
        tg=tg,
        twilio=twilio,
        android=android,
        db=create_engine(f"sqlite:///{tmp / 'service.db'}"),
        tracker_db=tracker_db,
        logs=logs,
    )
    try:
        sys_.start("service")
        sys_.start("actions")
        sys_.start("rasa")
        wait_for(
            lambda: httpx.get(f"{service_url}/health", timeout=2).status_code == 200,
            timeout=60,
            what="service",
        )
        sys_.wait_rasa()
        yield sys_
    finally:
        for name in ("rasa", "actions", "service"):
            sys_.stop(name)
        tg.stop()
        twilio.stop()
        android.stop()
        sys_.db.dispose()
        print(f"e2e logs kept in {logs}")
