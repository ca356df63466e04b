"""Dashboard load time with 100,000 cases, on SQLite and PostgreSQL (a benchmark, not a test).

    .venv/bin/python bench/dashboard_bench.py [--cases 100000] [--backends sqlite,postgresql]

For each backend: a fresh database, migrated, seeded with the deterministic
factory of tests/feedback_api/dashboard (bulk INSERTs), then the JSON summary,
the page and the CSV export are requested in-process (TestClient) a few times,
next to the trivial /health endpoint. Reports the median in ms and the ratio to /health.

Budget (median, 100,000 cases, one year): the summary within 3,000 ms on
SQLite and 1,500 ms on PostgreSQL; the page within 500 ms more than the summary.
PostgreSQL is reached at TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BUDGET_MS = {"sqlite": 3000.0, "postgresql": 1500.0}
PAGE_EXTRA_MS = 500.0
RANGE = "date_from=2024-03-20&date_to=2025-03-11"


def _env(url: str) -> None:
    os.environ.update(
        APP_ENV="test",
        CHANNELS_WORKERS="false",
        SECRET_KEY=secrets.token_urlsafe(32),
        PSEUDONYM_KEY=secrets.token_urlsafe(32),
        DATA_KEY=Fernet.generate_key().decode(),
        VAULT_KEY=Fernet.generate_key().decode(),
        SERVICE_TOKEN=secrets.token_urlsafe(24),
        RASA_API_TOKEN=secrets.token_urlsafe(24),
        ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
        DATABASE_URL=url,
    )


def _time(call: object, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = call()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.text[:300]
    return statistics.median(samples)


def run(backend: str, cases: int, runs: int) -> dict[str, float]:
    from sqlalchemy import create_engine, text

    admin_url = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    name = f"aap_bench_{uuid.uuid4().hex[:8]}"
    if backend == "sqlite":
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='aap-bench-')) / 'bench.db'}"
    else:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    _env(url)
    from fastapi.testclient import TestClient

    from feedback_api import migrate
    from feedback_api.db import get_engine, get_sessionmaker
    from feedback_api.main import build_app
    from feedback_api.settings import get_settings
    from feedback_api.users.service import create_user, issue_token
    from tests.feedback_api.dashboard.factories import generate_cases, insert_cases

    get_settings.cache_clear()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()
    try:
        migrate.upgrade()
        started = time.perf_counter()
        with get_sessionmaker()() as session:
            insert_cases(session, generate_cases(cases), batch=10_000)
            user = create_user(session, "bench", "accountability_staff", "bench password")
            token = issue_token(session, user)
            session.commit()
        if backend == "postgresql":
            with get_engine().connect() as conn:
                conn.execute(text("ANALYZE cases"))
                conn.commit()
        seeded_s = time.perf_counter() - started
        client = TestClient(build_app())
        headers = {"Authorization": f"Bearer {token}"}
        client.get(f"/api/v1/dashboard/summary?{RANGE}", headers=headers)  # warm up
        health = _time(lambda: client.get("/health"), runs * 4)
        summary = _time(
            lambda: client.get(f"/api/v1/dashboard/summary?{RANGE}", headers=headers), runs
        )
        weekly = _time(
            lambda: client.get(f"/api/v1/dashboard/summary?{RANGE}&period=week", headers=headers),
            runs,
        )
        page = _time(
            lambda: client.get(f"/console/dashboard?{RANGE}", cookies={"aap_session": token}), runs
        )
        export = _time(
            lambda: client.get(f"/api/v1/dashboard/export.csv?{RANGE}", headers=headers), runs
        )
        return {
            "seed_s": seeded_s, "health_ms": health, "summary_ms": summary, "weekly_ms": weekly,
            "page_ms": page, "export_csv_ms": export,
        }  # fmt: skip
    finally:
        get_engine().dispose()
        if backend == "postgresql":
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    within = True
    for backend in args.backends.split(","):
        figures = run(backend, args.cases, args.runs)
        budget = BUDGET_MS[backend]
        ok = figures["summary_ms"] <= budget and figures["page_ms"] <= budget + PAGE_EXTRA_MS
        within &= ok
        health = figures["health_ms"]
        print(
            f"{backend:10s} cases={args.cases} seed={figures['seed_s']:.1f}s "
            f"health={health:.1f}ms "
            f"summary={figures['summary_ms']:.0f}ms (x{figures['summary_ms'] / health:.0f}) "
            f"weekly={figures['weekly_ms']:.0f}ms page={figures['page_ms']:.0f}ms "
            f"(x{figures['page_ms'] / health:.0f}) csv={figures['export_csv_ms']:.0f}ms "
            f"budget={budget:.0f}ms {'OK' if ok else 'OVER BUDGET'}",
            flush=True,
        )
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
