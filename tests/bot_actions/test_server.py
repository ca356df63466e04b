"""The action server answers Rasa only: loopback by default, and the shared secret."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.bot_actions.apiserver import ROOT, free_port

TOKEN = secrets.token_urlsafe(24)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ACTIONS_SPOOL_PATH": str(tmp_path / "spool.sqlite3"),
        "ACTIONS_SPOOL_WORKER": "false",
        "ACTIONS_SPOOL_KEY": Fernet.generate_key().decode(),
        "KNOWLEDGE_DIR": str(ROOT / "bot" / "data" / "knowledge"),
        **extra,
    }


def _listening(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    tmp = tmp_path_factory.mktemp("actions")
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp, ACTION_SERVER_TOKEN=TOKEN),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while not _listening(port):
            assert process.poll() is None, "the action server exited"
            assert time.monotonic() < deadline, "the action server did not start"
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.slow
def test_listens_on_loopback_only(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    assert _listening(port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 or ::


@pytest.mark.slow
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_refuses_calls_without_the_shared_secret(server: str, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    call = {"next_action": "action_session_start", "sender_id": "a" * 26, "tracker": {}}
    called = requests.post(f"{server}/webhook", json=call, headers=headers, timeout=10)
    assert called.status_code == 401
    assert requests.get(f"{server}/actions", headers=headers, timeout=10).status_code == 401
    assert requests.get(f"{server}/health", headers=headers, timeout=10).status_code == 401


@pytest.mark.slow
def test_answers_rasa_with_the_shared_secret(server: str) -> None:
    listed = requests.get(
        f"{server}/actions", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    )
    assert listed.status_code == 200
    assert {"name": "action_session_start"} in listed.json()


def test_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", str(free_port())],
        cwd=ROOT,
        env=_env(tmp_path, ACTION_SERVER_TOKEN=""),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN must be set" in result.stderr
