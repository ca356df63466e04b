"""Regression: no request waits out SQLite's busy timeout while the channel workers run.

On SQLite every transaction holds the write lock (BEGIN IMMEDIATE) until it ends. A sync
request handler holds it until its commit, which it reaches only through the event loop;
when the loop itself was blocked in a sync SQL call waiting for that lock (a webhook's
body, or a channel worker), everything hung for busy_timeout (30 s).

The real service runs in a uvicorn subprocess on a SQLite file with its workers on,
Telegram and Twilio pointed at local stubs and Rasa at a local stub that thinks a little.
Webhooks, bot API, staff API, console pages and simulator posts are fired concurrently,
a bounded number of each, and every request must succeed well below the busy timeout.
All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

from tests.stubs import telegram as telegram_stub
from tests.stubs import twilio as twilio_stub
from tests.stubs.base import Stub

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load test password"
BOT_TOKEN = "123456:stub-token"
TWILIO_SID = "AC" + "2" * 32
TWILIO_TOKEN = "twilio-load-token"
FROM_NUMBER = "+15005550006"
ROUNDS = 4
CONCURRENCY = 12
REQUEST_LIMIT_SECONDS = 10.0  # busy_timeout is 30 s: a stall shows up far above this
REQUEST_TIMEOUT = 15.0  # a stalled request fails here rather than waiting the stall out
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class RasaStub:
    """Rasa's REST channel: one answer after a short think, so workers interleave with requests."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"{}")
                time.sleep(random.uniform(0.02, 0.15))
                with stub.lock:
                    stub.count += 1
                data = json.dumps(
                    [{"recipient_id": body.get("sender"), "text": "پاسخ دستیار"}]
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Running:
    url: str
    env: dict[str, str]
    tg: Stub
    twilio: Stub
    rasa: RasaStub
    log: Path


@pytest.fixture(scope="module")
def service() -> Iterator[Running]:
    workdir = Path(tempfile.mkdtemp(prefix="aap-load-"))
    tg, twilio, rasa = telegram_stub.make_stub(), twilio_stub.make_stub(), RasaStub()
    tg_url, twilio_url = tg.start(), twilio.start()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "APP_ENV": "test",
        "DATABASE_URL": f"sqlite:///{workdir / 'load.db'}",
        "PUBLIC_BASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": Fernet.generate_key().decode(),
        "VAULT_KEY": Fernet.generate_key().decode(),
        "SERVICE_TOKEN": secrets.token_urlsafe(24),
        "RASA_API_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": secrets.token_urlsafe(16),
        "TELEGRAM_API_BASE_URL": tg_url,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_BASE_URL": twilio_url,
        "SMS_RATE_PER_SECOND": "20",
        "RASA_URL": rasa.url,
        "RASA_ACK_AFTER_SECONDS": "30",
        "CHANNELS_WORKERS": "true",
    }
    subprocess.run(
        [sys.executable, "-m", "feedback_api", "users", "create", "leila", "--role", "operator"],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    log = workdir / "service.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "feedback_api", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def healthy() -> bool:
            try:
                return httpx.get(url + "/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_for(healthy, 30, "the service to start")
        yield Running(url=url, env=env, tg=tg, twilio=twilio, rasa=rasa, log=log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        tg.stop()
        twilio.stop()
        rasa.stop()


def _console_cookie(service: Running) -> str:
    with httpx.Client(base_url=service.url, timeout=10) as client:
        client.get("/console/login")
        csrf = client.cookies.get("aap_login_csrf")
        assert csrf
        response = client.post(
            "/console/login",
            data={"username": "leila", "password": PASSWORD, "csrf_token": csrf, "next": ""},
        )
        assert response.status_code == 303, response.text
        cookie = client.cookies.get("aap_session")
        assert cookie
        return cookie


def _staff_token(service: Running) -> str:
    response = httpx.post(
        service.url + "/api/v1/auth/token",
        data={"username": "leila", "password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_concurrent_webhooks_and_console_never_wait_for_the_busy_timeout(
    service: Running,
) -> None:
    cookie = _console_cookie(service)
    # What the simulator page's script sends with its calls: the session's CSRF token.
    page = httpx.get(service.url + "/simulator", cookies={"aap_session": cookie}, timeout=10)
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert match
    csrf = match.group(1)
    staff = {"Authorization": f"Bearer {_staff_token(service)}"}
    bot = {"Authorization": f"Bearer {service.env['SERVICE_TOKEN']}"}
    tg_headers = {"X-Telegram-Bot-Api-Secret-Token": service.env["TELEGRAM_WEBHOOK_SECRET"]}
    validator = RequestValidator(TWILIO_TOKEN)
    sms_url = service.url + "/webhooks/twilio/sms"
    update_ids = iter(range(10_000, 20_000))
    chats: list[int] = []
    numbers: list[str] = []

    def telegram(chat_id: int) -> httpx.Response:
        uid = next(update_ids)
        update = {
            "update_id": uid,
            "message": {
                "message_id": uid,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "x"},
                "text": f"سلام {uid}",
            },
        }
        return httpx.post(
            service.url + "/webhooks/telegram",
            json=update,
            headers=tg_headers,
            timeout=REQUEST_TIMEOUT,
        )

    def sms(number: str) -> httpx.Response:
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "From": number,
            "To": FROM_NUMBER,
            "Body": "سلام",
            "NumMedia": "0",
        }
        signature = validator.compute_signature(sms_url, form)
        return httpx.post(
            sms_url, data=form, headers={"X-Twilio-Signature": signature}, timeout=REQUEST_TIMEOUT
        )

    def bot_language() -> httpx.Response:
        pseudonym = "".join(secrets.choice(BASE32) for _ in range(26))
        return httpx.put(
            f"{service.url}/api/v1/bot/contacts/{pseudonym}/language",
            json={"language": "prs"},
            headers=bot,
            timeout=REQUEST_TIMEOUT,
        )

    def console(path: str) -> Callable[[], httpx.Response]:
        def get() -> httpx.Response:
            return httpx.get(
                service.url + path,
                cookies={"aap_session": cookie},
                headers={"Accept": "text/html"},
                timeout=REQUEST_TIMEOUT,
            )

        return get

    def simulator(conversation: str) -> httpx.Response:
        return httpx.post(
            service.url + "/simulator/api/send",
            json={"channel": "telegram", "conversation": conversation, "text": "سلام"},
            cookies={"aap_session": cookie},
            headers={"X-Simulator": "1", "X-CSRF-Token": csrf},
            timeout=REQUEST_TIMEOUT,
        )

    def staff_cases() -> httpx.Response:
        return httpx.get(service.url + "/api/v1/cases", headers=staff, timeout=REQUEST_TIMEOUT)

    calls: list[tuple[str, Callable[[], httpx.Response]]] = []
    for round_ in range(ROUNDS):
        for i in range(6):
            chat_id = 7_000_000 + round_ * 100 + i
            chats.append(chat_id)
            calls.append(("telegram", lambda c=chat_id: telegram(c)))
        for i in range(3):
            number = f"+98912{round_:03d}{i:04d}"
            numbers.append(number)
            calls.append(("sms", lambda n=number: sms(n)))
        for _ in range(3):
            calls.append(("bot api", bot_language))
        calls.append(("staff api", staff_cases))
        for path in ("/console/", "/console/cases", "/console/api/notifications.json"):
            calls.append((f"console {path}", console(path)))
        calls.append(("simulator", lambda r=round_: simulator(f"load{r}")))
    random.Random(7).shuffle(calls)

    def timed(item: tuple[str, Callable[[], httpx.Response]]) -> tuple[str, float, object]:
        name, call = item
        started = time.monotonic()
        try:
            result: object = call().status_code
        except httpx.HTTPError as exc:
            result = f"{type(exc).__name__}: {exc}"
        return name, time.monotonic() - started, result

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(timed, calls))

    failed = [r for r in results if r[2] not in (200, 201, 204)]
    slow = [r for r in results if r[1] >= REQUEST_LIMIT_SECONDS]
    assert not failed, f"failed requests: {failed}"
    assert not slow, f"requests slower than {REQUEST_LIMIT_SECONDS} s: {slow}"

    # The workers did their part meanwhile: every person got the assistant's answer.
    def answered() -> bool:
        tg_sent = {str(c["params"].get("chat_id")) for c in service.tg.calls("sendMessage")}
        sms_sent = {c["params"].get("To") for c in service.twilio.calls("Messages.json")}
        return {str(c) for c in chats} <= tg_sent and set(numbers) <= sms_sent

    _wait_for(answered, 30, "every webhook's reply to reach the provider stubs")
    assert service.rasa.count >= len(chats) + len(numbers)
