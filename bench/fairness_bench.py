"""Fairness under a flood: ordinary contacts' reply times with and without one flooding sender.

    .venv/bin/python bench/fairness_bench.py [--contacts 20] [--flood-rate 50] [--seconds 45]

Runs the real service (uvicorn in a subprocess, SQLite, channel workers on) twice, each
time fresh, with Telegram and Rasa played by one local stub (Rasa thinks 50-150 ms a turn,
two turns at a time). Each of the ordinary contacts writes, waits for the bot's reply at the
Telegram stub, pauses 3-4 s and writes again. The second run adds one sender posting
`--flood-rate` messages a second to the webhook for the whole run, from a process of its
own. A reply time is from the webhook's answer to the stub receiving that contact's
sendMessage.

Budget (not a timed test): the ordinary contacts' p95 with the flood is at most 1.5 times
their p95 without it. The flood's messages are all stored and handled at a bounded rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 1.5
BOT_TOKEN = "123456:bench"  # noqa: S105 (the stub's, not a secret)
FLOODER = 990_000_001


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stub:
    """Telegram's sendMessage and Rasa's REST channel; records when each chat got a reply."""

    replies: dict[int, list[float]] = field(default_factory=dict)
    # chat -> called (from the stub's thread) when that chat gets a reply
    waiters: dict[int, Callable[[], object]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    rasa_capacity: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(2))
    server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/webhooks/rest/"):
                    body = json.loads(raw or b"{}")
                    with stub.rasa_capacity:
                        time.sleep(random.uniform(0.05, 0.15))
                    answer: Any = [{"recipient_id": body.get("sender"), "text": "پاسخ"}]
                else:
                    kind = self.headers.get("Content-Type", "")
                    params = json.loads(raw) if "json" in kind else dict(parse_qsl(raw.decode()))
                    result: Any = True
                    if self.path.endswith("/sendMessage"):
                        chat = int(params.get("chat_id", 0))
                        with stub.lock:
                            stub.replies.setdefault(chat, []).append(time.monotonic())
                        waiter = stub.waiters.get(chat)
                        if waiter is not None:
                            waiter()
                        result = {
                            "message_id": 1,
                            "date": int(time.time()),
                            "chat": {"id": chat, "type": "private"},
                            "text": params.get("text", ""),
                        }
                    elif self.path.endswith("/getMe"):
                        result = {"id": 1, "is_bot": True, "first_name": "b", "username": "b"}
                    answer = {"ok": True, "result": result}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def count(self, chat: int) -> int:
        with self.lock:
            return len(self.replies.get(chat, []))

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@contextmanager
def service(stub_url: str) -> Iterator[tuple[str, str, Path]]:
    workdir = Path(tempfile.mkdtemp(prefix="aap-fairness-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secret = secrets.token_urlsafe(16)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "APP_ENV": "test",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "PUBLIC_BASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": Fernet.generate_key().decode(),
        "VAULT_KEY": Fernet.generate_key().decode(),
        "SERVICE_TOKEN": secrets.token_urlsafe(24),
        "RASA_API_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "TELEGRAM_API_BASE_URL": stub_url,
        "RASA_URL": stub_url,
        "RASA_ACK_AFTER_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
    }
    log = (workdir / "service.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "feedback_api", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the service did not start; see {workdir / 'service.log'}")
            time.sleep(0.2)
        yield url, secret, workdir / "bench.db"
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def _update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "x"},
            "text": text,
        },
    }


async def _post(client: httpx.AsyncClient, headers: dict[str, str], update: dict[str, Any]) -> None:
    # A kept-alive connection the server closed meanwhile: post again.
    for attempt in range(3):
        try:
            await client.post("/webhooks/telegram", json=update, headers=headers)
            return
        except httpx.TransportError:
            if attempt == 2:
                raise


async def _flood(url: str, headers: dict[str, str], rate: float, seconds: float) -> int:
    """One sender posting `rate` messages a second (update ids from 10**8 up)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    sent = 0
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        stop_at = next_at = time.monotonic()
        stop_at += seconds
        pending: set[asyncio.Task[None]] = set()
        while time.monotonic() < stop_at:
            update = _update(10**8 + sent, FLOODER, f"flood {sent}")
            task = asyncio.create_task(_post(client, headers, update))
            pending.add(task)
            task.add_done_callback(pending.discard)
            sent += 1
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*pending)
    return sent


def flood_process(url: str, headers: dict[str, str], rate: float, seconds: float) -> None:
    """In a process of its own: the flood's client must not slow the stub's clock."""
    asyncio.run(_flood(url, headers, rate, seconds))


async def run_once(
    contacts: int, flood_rate: float, seconds: float, seed: int
) -> tuple[list[float], dict[str, int]]:
    stub = Stub()
    stub_url = stub.start()
    ids = iter(range(1, 10**8))
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    try:
        with service(stub_url) as (url, secret, database):
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            flooder = None
            if flood_rate:
                flooder = multiprocessing.Process(
                    target=flood_process, args=(url, headers, flood_rate, seconds)
                )
                flooder.start()
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                stop_at = time.monotonic() + seconds
                times: list[float] = []
                posted = 0

                async def person(chat: int) -> None:
                    nonlocal posted
                    await asyncio.sleep(rng.uniform(0, 3))
                    while time.monotonic() < stop_at:
                        seen = stub.count(chat)
                        answered = asyncio.Event()
                        stub.waiters[chat] = lambda e=answered: loop.call_soon_threadsafe(e.set)
                        await _post(client, headers, _update(next(ids), chat, "بیمه سلامت؟"))
                        posted += 1
                        sent_at = time.monotonic()
                        while stub.count(chat) <= seen:
                            await answered.wait()
                            answered.clear()
                        times.append(stub.replies[chat][seen] - sent_at)
                        await asyncio.sleep(rng.uniform(3.0, 4.0))

                await asyncio.gather(*(person(900_000_000 + n) for n in range(contacts)))
            if flooder is not None:
                flooder.join()
            with sqlite3.connect(database) as conn:
                stored, handled, flood_stored = conn.execute(
                    "SELECT count(*), sum(status != 'pending'),"
                    " sum(CAST(external_id AS INTEGER) >= 100000000) FROM channel_inbound"
                ).fetchone()
            return times, {
                "posted": posted,
                "stored": int(stored),
                "flood_stored": int(flood_stored or 0),
                "handled": int(handled or 0),
                "flood_replies": stub.count(FLOODER),
            }
    finally:
        stub.stop()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20)
    parser.add_argument("--flood-rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=45.0)
    args = parser.parse_args()

    base, _ = asyncio.run(run_once(args.contacts, 0, args.seconds, seed=1))
    flooded, counts = asyncio.run(run_once(args.contacts, args.flood_rate, args.seconds, seed=1))
    print(f"{'run':28} {'replies':>8} {'median ms':>10} {'p95 ms':>8}")
    for label, times in (("without the flood", base), ("with the flood", flooded)):
        print(
            f"{label:28} {len(times):8d} {statistics.median(times) * 1000:10.0f}"
            f" {p95(times) * 1000:8.0f}"
        )
    ratio = p95(flooded) / p95(base)
    print(
        f"with the flood: the flooder's {counts['flood_stored']} messages (at "
        f"{args.flood_rate:g}/s) and {counts['posted']} ordinary ones: {counts['stored']} "
        f"stored, {counts['handled']} handled; the flooder got {counts['flood_replies']} replies"
    )
    verdict = "ok" if ratio <= BUDGET else "OVER"
    print(f"p95 with / without the flood: {ratio:.2f} (budget <= {BUDGET})  {verdict}")


if __name__ == "__main__":
    main()
