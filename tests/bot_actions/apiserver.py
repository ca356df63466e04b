"""The real feedback service as a subprocess, for the action tests.

It runs in the service runtime (.venv, Python 3.11) on a free port with a
temporary SQLite database; tests stop and restart it to simulate an outage.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SERVICE_PYTHON = Path(os.environ.get("SERVICE_PYTHON", ROOT / ".venv" / "bin" / "python"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class ApiServer:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = workdir / "feedback.db"
        self.token = secrets.token_urlsafe(24)
        self.log_path = workdir / "api.log"
        # Every secret given explicitly: the service must not write dev secrets into var/.
        self.env = {
            **os.environ,
            "APP_ENV": "test",
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "SERVICE_TOKEN": self.token,
            "RASA_API_TOKEN": secrets.token_urlsafe(24),
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PSEUDONYM_KEY": secrets.token_urlsafe(32),
            "DATA_KEY": _fernet_key(),
            "VAULT_KEY": _fernet_key(),
            "ACTIONS_SPOOL_KEY": _fernet_key(),
        }
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [str(SERVICE_PYTHON), "-m", "feedback_api", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the API exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("the API did not become ready")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def bot(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """Call the bot-facing API directly (to check what the actions did)."""
        return requests.request(
            method,
            f"{self.url}/api/v1/bot{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
            **kwargs,
        )

    def case_as(self, role: str, reference: str) -> dict[str, object]:
        """The staff API's view of a case for a (new) user of `role`."""
        name, password = f"{role}-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
        subprocess.run(
            [str(SERVICE_PYTHON), "-m", "feedback_api", "users", "create", name, "--role", role],
            input=password.encode(),
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        token = requests.post(
            f"{self.url}/api/v1/auth/token",
            data={"username": name, "password": password},
            timeout=10,
        ).json()["access_token"]
        answer = requests.get(
            f"{self.url}/api/v1/cases/{reference}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        answer.raise_for_status()
        data: dict[str, object] = answer.json()
        return data
