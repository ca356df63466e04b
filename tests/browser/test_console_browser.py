"""The console in headless Chromium, against the real service (uvicorn in a subprocess).

A small stub stands in for both the Telegram Bot API and the Rasa server, so the
test sees what the gateway sends to the person and what it forwards to the
assistant. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser test password"
CHAT_ID = 9_001_234
BOT_TOKEN = "123456:stub-token"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stub:
    """Telegram Bot API (sendMessage, getMe, ...) and Rasa REST, in one HTTP server."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.rasa: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ctype = self.headers.get("Content-Type", "")
                if "json" in ctype:
                    body = json.loads(raw or b"{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if self.path == "/webhooks/rest/webhook":
                    with stub.lock:
                        stub.rasa.append(body)
                    answer: Any = [{"recipient_id": body.get("sender"), "text": "پاسخ دستیار"}]
                else:
                    method = self.path.rsplit("/", 1)[-1]
                    result: Any = True
                    if method == "getMe":
                        result = {"id": 1, "is_bot": True, "first_name": "stub", "username": "b"}
                    elif method == "sendMessage":
                        with stub.lock:
                            stub.sent.append(body)
                        result = {
                            "message_id": len(stub.sent),
                            "date": int(time.time()),
                            "chat": {"id": int(body.get("chat_id", 0)), "type": "private"},
                            "text": body.get("text", ""),
                        }
                    answer = {"ok": True, "result": result}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        with self.lock:
            return [str(m.get("text", "")) for m in self.sent]

    def rasa_messages(self) -> list[str]:
        with self.lock:
            return [str(m.get("message", "")) for m in self.rasa]


def wait_for(check: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Service:
    def __init__(self, stub: Stub, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = workdir / "browser.db"
        self.webhook_secret = secrets.token_urlsafe(16)
        self.service_token = secrets.token_urlsafe(24)
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
            "APP_ENV": "test",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "PUBLIC_BASE_URL": self.url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PSEUDONYM_KEY": secrets.token_urlsafe(32),
            "DATA_KEY": Fernet.generate_key().decode(),
            "VAULT_KEY": Fernet.generate_key().decode(),
            "SERVICE_TOKEN": self.service_token,
            "RASA_API_TOKEN": secrets.token_urlsafe(24),
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
            "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": self.webhook_secret,
            "TELEGRAM_API_BASE_URL": stub.url,
            "RASA_URL": stub.url,
            "RASA_ACK_AFTER_SECONDS": "30",
        }
        self.update_id = 1000
        for name, role in (("leila", "operator"), ("maryam", "psea_focal_point")):
            subprocess.run(
                [sys.executable, "-m", "feedback_api", "users", "create", name, "--role", role],
                input=PASSWORD + "\n",
                text=True,
                env=self.env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        self.log = (workdir / "service.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feedback_api", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._healthy, 30, "the service to start")

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health", timeout=1) as response:  # noqa: S310
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        request = urllib.request.Request(  # noqa: S310
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return json.loads(response.read() or b"null")

    def person_says(self, text: str) -> None:
        self.update_id += 1
        self.post(
            "/webhooks/telegram",
            {
                "update_id": self.update_id,
                "message": {
                    "message_id": self.update_id,
                    "date": int(time.time()),
                    "chat": {"id": CHAT_ID, "type": "private"},
                    "from": {"id": CHAT_ID, "is_bot": False, "first_name": "x"},
                    "text": text,
                },
            },
            {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret},
        )

    def bot_api(self, path: str, body: dict[str, Any]) -> Any:
        return self.post(path, body, {"Authorization": f"Bearer {self.service_token}"})

    def pseudonym(self) -> str:
        with sqlite3.connect(self.db) as conn:
            row = conn.execute(
                "SELECT pseudonym FROM contacts ORDER BY created_at LIMIT 1"
            ).fetchone()
        return str(row[0])


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    server = Stub()
    yield server
    server.server.shutdown()


@pytest.fixture(scope="module")
def service(stub: Stub) -> Iterator[Service]:
    workdir = Path(tempfile.mkdtemp(prefix="aap-browser-"))
    running = Service(stub, workdir)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _login(page: Any, service: Service, username: str) -> None:
    page.goto(service.url + "/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(service.url + "/console/")


def test_console_end_to_end(service: Service, stub: Stub, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fa-IR")
    page = context.new_page()
    # Whatever the Content-Security-Policy blocks, Chromium reports on the console.
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Security Policy" in m.text else None)
    _login(page, service, "leila")
    assert page.locator("html").get_attribute("dir") == "rtl"

    # The person talks to the assistant, then asks for a human: the queue shows it live.
    service.person_says("سلام")
    wait_for(lambda: "سلام" in stub.rasa_messages(), what="the first message to reach Rasa")
    wait_for(lambda: "پاسخ دستیار" in stub.texts(), what="the assistant's answer")
    pseudonym = service.pseudonym()
    service.bot_api(f"/api/v1/bot/contacts/{pseudonym}/handoff", {"reason": "asked_human"})
    row = page.locator("tr.handoff-row")
    row.wait_for(timeout=15000)
    page.locator(".notice.handoff").wait_for(timeout=15000)
    page.screenshot(path=str(SHOTS / "console-queue.png"), full_page=True)

    # Claim, reply: the reply reaches the person on Telegram.
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/console/chat/*")
    page.fill("#reply textarea", "سلام، من لیلا هستم. چطور می‌توانم کمک کنم؟")
    page.click("#reply button[type=submit]")
    wait_for(
        lambda: "سلام، من لیلا هستم. چطور می‌توانم کمک کنم؟" in stub.texts(),
        what="the operator's reply at Telegram",
    )
    assert int(str(stub.sent[-1]["chat_id"])) == CHAT_ID

    # The person's next message goes to the operator (not Rasa) and appears without reload.
    rasa_before = len(stub.rasa_messages())
    service.person_says("کارت آمایش من گم شده است <b>کمک</b>")
    page.locator(".msg.in .body", has_text="کارت آمایش من گم شده").wait_for(timeout=15000)
    assert page.locator(".msg.in b").count() == 0  # rendered as text
    assert len(stub.rasa_messages()) == rasa_before
    page.screenshot(path=str(SHOTS / "console-chat.png"), full_page=True)

    # Ending the chat tells the person and hands them back to the assistant.
    page.click("#end-chat")
    page.wait_for_url(service.url + "/console/")
    wait_for(lambda: any("دستیار خودکار" in t for t in stub.texts()), what="the chat-ended notice")
    service.person_says("ممنون")
    wait_for(lambda: "ممنون" in stub.rasa_messages(), what="the next message to go to Rasa")

    # A case from the bot: close the loop and the satisfaction question goes out.
    created = service.bot_api(
        "/api/v1/bot/cases",
        {
            "client_key": secrets.token_hex(8),
            "contact": pseudonym,
            "type": "complaint",
            "category": "CMN",
            "topic": "CSH",
            "channel": "telegram",
            "language": "fa",
            "province": "Tehran",
            "description": "پول کمک هنوز نرسیده است.",
        },
    )
    reference = created["reference"]
    page.goto(f"{service.url}/console/cases/{reference}")
    page.click("button[data-move=ACKNOWLEDGED]")
    page.wait_for_url(f"**/console/cases/{reference}")
    page.select_option("#ready-text", index=1)
    counter = page.locator("#loop-counter")
    assert counter.get_attribute("data-segments") in ("1", "2")
    page.screenshot(path=str(SHOTS / "console-case.png"), full_page=True)
    page.click("#send-close")
    page.wait_for_url(f"**/console/cases/{reference}")
    wait_for(lambda: any("راضی" in t for t in stub.texts()), what="the satisfaction question")
    assert "بسته" in page.locator("h1").inner_text()
    service.person_says("4")

    def satisfaction_shown() -> bool:
        page.reload()
        return "4" in page.locator("#satisfaction").inner_text()

    wait_for(satisfaction_shown, what="the satisfaction answer on the case page")
    page.screenshot(path=str(SHOTS / "console-case-closed.png"), full_page=True)

    # A phone call, logged as a case.
    page.goto(service.url + "/console/phone")
    page.select_option("select[name=type]", "question")
    page.select_option("select[name=category]", "INF")
    page.fill("textarea[name=description]", "پرسش درباره تمدید کارت آمایش")
    page.check("input[name=consent]")
    page.fill("input[name=number]", "09121234567")
    page.click("#phone-form button[type=submit]")
    page.wait_for_url("**/console/cases/*")
    assert "پرسش درباره تمدید کارت آمایش" in page.content()
    assert "09121234567" not in page.content() and "+989121234567" not in page.content()
    page.screenshot(path=str(SHOTS / "console-phone-case.png"), full_page=True)

    page.goto(service.url + "/console/")
    page.screenshot(path=str(SHOTS / "console-queue-cases.png"), full_page=True)

    # English switch.
    page.click("a.lang")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert blocked == []
    context.close()


def test_new_s3_case_notifies_the_focal_point(service: Service, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, service, "maryam")
    service.bot_api(
        "/api/v1/bot/cases",
        {
            "client_key": secrets.token_hex(8),
            "contact": service.pseudonym(),
            "type": "report",
            "category": "SEA",
            "channel": "telegram",
            "language": "fa",
        },
    )
    page.locator(".notice.s3").wait_for(timeout=15000)
    context.close()
