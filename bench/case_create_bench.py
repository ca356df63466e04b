"""Case creation through the bot API against a real server, beside GET /health.

Starts uvicorn (one process, as `make run` does) on a throwaway database for each
backend, sends a bounded number of requests from 1, 8 and 32 concurrent clients,
and prints requests/s, p50 and p95 for `POST /api/v1/bot/cases` and for the
trivial `GET /health` of the same server in the same run, and their ratio.

    .venv/bin/python bench/case_create_bench.py [--backends sqlite,postgresql]
        [--clients 1,8,32] [--requests 400] [--pg-admin-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Requests go to 127.0.0.1 only. The client is Python (httpx, one thread per
client), so the /health figures are a floor set partly by the client itself.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Result:
    backend: str
    endpoint: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(backend: str, pg_admin_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="aap-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    name = f"aap_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(url: str, token: str) -> Iterator[str]:
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "DATA_KEY": Fernet.generate_key().decode(),
        "VAULT_KEY": Fernet.generate_key().decode(),
        "SERVICE_TOKEN": token,
        "RASA_API_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(24),
        "CHANNELS_WORKERS": "false",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "-m", "feedback_api", "migrate"], env=env, cwd=ROOT, check=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "feedback_api.main:app", "--host", HOST,
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def pseudonym() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=").lower()


def create_request(client: httpx.Client) -> bool:
    body = {
        "client_key": secrets.token_hex(16),
        "contact": pseudonym(),
        "type": "complaint",
        "category": "CMN",
        "topic": "CSH",
        "channel": "telegram",
        "language": "prs",
        "province": "Tehran",
        "description": "کمک نقدی ما سه ماه است که نرسیده است",
    }
    return client.post("/api/v1/bot/cases", json=body).status_code == 201


def health_request(client: httpx.Client) -> bool:
    return client.get("/health").status_code == 200


def run(
    base: str, token: str, request: Callable[[httpx.Client], bool], clients: int, total: int
) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    headers = {"Authorization": f"Bearer {token}"}

    def worker(count: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            request(client)  # warm the connection
            for _ in range(count):
                start = time.perf_counter()
                ok = request(client)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, per_client))
    return errors, time.perf_counter() - start, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--requests", type=int, default=400, help="per endpoint and level")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    if not 1 <= args.requests <= 5000:
        parser.error("--requests is bounded to 1..5000")
    levels = [int(n) for n in args.clients.split(",")]

    results: list[Result] = []
    for backend in args.backends.split(","):
        token = secrets.token_urlsafe(24)
        with database(backend, args.pg_admin_url) as url, server(url, token) as base:
            for clients in levels:
                for endpoint, request in (("GET /health", health_request),
                                          ("POST /bot/cases", create_request)):  # fmt: skip
                    errors, seconds, latencies = run(base, token, request, clients, args.requests)
                    results.append(
                        Result(
                            backend, endpoint, clients, args.requests, errors, seconds, latencies
                        )
                    )
                    print(f"  {backend} {endpoint} x{clients}: done", file=sys.stderr)

    print(f"\n{'backend':<11}{'endpoint':<17}{'clients':>8}{'requests':>9}{'errors':>7}"
          f"{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}")  # fmt: skip
    for r in results:
        print(f"{r.backend:<11}{r.endpoint:<17}{r.clients:>8}{r.requests:>9}{r.errors:>7}"
              f"{r.rps:>9.1f}{r.percentile(50):>9.1f}{r.percentile(95):>9.1f}")  # fmt: skip
    print("\nratio of case creation to /health (same server, same run):")
    for backend in args.backends.split(","):
        for clients in levels:
            health, create = (
                next(
                    r
                    for r in results
                    if (r.backend, r.endpoint, r.clients) == (backend, e, clients)
                )
                for e in ("GET /health", "POST /bot/cases")
            )
            print(
                f"  {backend:<11} x{clients:<3} throughput {create.rps / health.rps:6.2f}   "
                f"p50 latency {create.percentile(50) / health.percentile(50):6.1f}x"
            )
    failed = sum(r.errors for r in results)
    create_p50 = statistics.mean(r.percentile(50) for r in results if "cases" in r.endpoint)
    print(f"\nerrors: {failed}; mean create p50 {create_p50:.1f} ms")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
