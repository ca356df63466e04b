"""Never lose a complaint: the API down, the case spooled, delivered once when it is back."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from actions.spool import CaseSpool
from tests.bot_actions.apiserver import ROOT, ApiServer, free_port
from tests.bot_actions.conftest import SPOOL_KEY, make_tracker, pseudonym, run, said
from tests.bot_actions.test_actions import FORM_ACTIVATED


def count_cases(api: ApiServer, client_key: str) -> int:
    with sqlite3.connect(api.db_path) as db:
        return db.execute(
            "SELECT count(*) FROM cases WHERE client_key = ?", (client_key,)
        ).fetchone()[0]


@pytest.fixture
def outage_api(tmp_path: Path) -> Any:
    """An API of its own, so stopping it does not disturb the other tests."""
    server = ApiServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_complaint_survives_an_outage_and_is_delivered_once(
    outage_api: ApiServer, configure: Any, tmp_path: Path
) -> None:
    from actions.cases import ActionSubmitCase

    services = configure(outage_api)
    outage_api.stop()

    sender = pseudonym()
    tracker = make_tracker(
        sender,
        slots={
            "case_kind": "complaint",
            "case_description": "کمک نقدی نرسید",
            "callback_consent": False,
        },
        events=[FORM_ACTIVATED],
    )
    _, messages = run(ActionSubmitCase(), tracker)
    assert said(messages) == ["case_spooled"]
    assert services.spool.pending_count() == 1
    assert services.deliverer.deliver_due() == 0  # still down: kept, retried later

    outage_api.start()
    deadline = time.monotonic() + 60
    while services.spool.pending_count() and time.monotonic() < deadline:
        services.deliverer.deliver_due()
        time.sleep(0.2)
    assert services.spool.pending_count() == 0

    with sqlite3.connect(outage_api.db_path) as db:
        rows = db.execute("SELECT client_key FROM cases").fetchall()
    assert len(rows) == 1
    key = rows[0][0]

    # Delivering the same item again (a crash after the POST, before the
    # spool row was deleted) finds the existing case.
    spool = CaseSpool(tmp_path / "again.sqlite3", SPOOL_KEY)
    body = {
        "client_key": key,
        "contact": sender,
        "type": "complaint",
        "category": "CMN",
        "topic": "GEN",
        "channel": "telegram",
    }
    spool.put(body)
    spool.put(body)  # the same key twice keeps one row
    services.deliverer.spool = spool
    assert services.deliverer.deliver_due() == 1
    assert count_cases(outage_api, key) == 1


def test_a_rejected_case_is_kept_not_dropped(
    api: ApiServer, configure: Any, tmp_path: Path
) -> None:
    services = configure(api)
    services.spool.put({"client_key": "bad-case-0001", "contact": "x", "type": "complaint"})
    assert services.deliverer.deliver_due() == 0
    with sqlite3.connect(tmp_path / "spool.sqlite3") as db:
        state, error = db.execute("SELECT state, last_error FROM spooled_cases").fetchone()
    assert state == "rejected" and error.startswith("422")
    # Kept for a person to look at, not for ever.
    assert services.spool.expire_rejected(time.time()) == 0
    assert services.spool.expire_rejected(time.time() + 31 * 86400) == 1


@pytest.mark.slow
def test_the_action_server_delivers_in_the_background(
    outage_api: ApiServer, tmp_path: Path
) -> None:
    """The real action server process: its thread delivers after the API comes back."""
    outage_api.stop()
    port = free_port()
    spool_path = tmp_path / "server-spool.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FEEDBACK_API_URL": outage_api.url,
        "SERVICE_TOKEN": outage_api.token,
        "ACTIONS_SPOOL_PATH": str(spool_path),
        "ACTIONS_SPOOL_KEY": SPOOL_KEY,
        "ACTIONS_SPOOL_WORKER": "true",
        "KNOWLEDGE_DIR": str(ROOT / "bot" / "data" / "knowledge"),
        "SPOOL_RETRY_BASE_SECONDS": "0.5",
        "SPOOL_RETRY_MAX_SECONDS": "2",
    }
    log = (tmp_path / "actions.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(lambda: requests.get(f"{url}/health", timeout=1).ok, 60)
        sender = pseudonym()
        tracker = make_tracker(
            sender,
            slots={"case_kind": "feedback", "case_description": "ساعت کاری بیشتر شود"},
            events=[FORM_ACTIVATED],
        )
        answer = requests.post(
            f"{url}/webhook",
            json={
                "next_action": "action_submit_case",
                "sender_id": sender,
                "tracker": tracker.current_state(),
                "domain": {},
                "version": "3.6.21",
            },
            timeout=30,
        ).json()
        assert said(answer["responses"]) == ["case_spooled"]

        outage_api.start()
        _wait_for(lambda: _spool_empty(spool_path), 60)
        with sqlite3.connect(outage_api.db_path) as db:
            assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    finally:
        server.terminate()
        server.wait(timeout=15)


def _spool_empty(path: Path) -> bool:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM spooled_cases").fetchone()[0] == 0


def _wait_for(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, sqlite3.Error, json.JSONDecodeError):
            pass
        time.sleep(0.3)
    raise AssertionError("timed out")


def test_the_spool_keeps_no_readable_text_and_forgets_a_deleted_person(tmp_path: Path) -> None:
    spool = CaseSpool(tmp_path / "spool.sqlite3", SPOOL_KEY)
    person, other = pseudonym(), pseudonym()
    words = "کارمند توزیع از من رابطه خواست"
    for n, contact in enumerate((person, person, other)):
        spool.put({"client_key": f"key-{n:04d}", "contact": contact, "description": words})
    raw = (tmp_path / "spool.sqlite3").read_bytes() + _wal(tmp_path / "spool.sqlite3")
    assert words.encode() not in raw and person.encode() not in raw

    assert spool.drop_contact(person) == 2
    assert [item.body["contact"] for item in spool.claim_due(time.time())] == [other]


def test_an_old_plain_text_spool_is_encrypted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE outbox (id INTEGER PRIMARY KEY, client_key TEXT UNIQUE, body TEXT,"
            " attempts INTEGER, next_attempt_at REAL, created_at REAL, state TEXT,"
            " last_error TEXT)"
        )
        body = {"client_key": "old-key-1", "contact": "abc", "description": "شکایت قدیمی"}
        db.execute(
            "INSERT INTO outbox VALUES (1, 'old-key-1', ?, 2, 0, 0, 'pending', NULL)",
            (json.dumps(body),),
        )
    spool = CaseSpool(path, SPOOL_KEY)
    assert [item.body["description"] for item in spool.claim_due(time.time())] == ["شکایت قدیمی"]
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "outbox" not in tables


def _wal(path: Path) -> bytes:
    wal = Path(f"{path}-wal")
    return wal.read_bytes() if wal.exists() else b""
