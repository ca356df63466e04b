"""Console render times with 10,000 cases: the queue and a case page.

    .venv/bin/python bench/console_bench.py [--cases 10000] [--rounds 30] [--database-url URL]

Builds a throw-away database (SQLite in a temp dir unless --database-url), fills
it through cases.service.create_case (so due times, timelines and encryption are
real), then times GET /health (the trivial baseline), the queue (/console/) for an
operator and a CFM manager, a filtered queue, the case list and a case page, with
the in-process ASGI client. Prints median and p95 in ms and the ratio to /health.

Budget (not a timed test; check the figures by eye or in CI logs):
  queue and case page: median <= 150 ms absolute and <= 40x the /health median.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUDGET_MS = 150.0
BUDGET_RATIO = 40.0


def _environment(database_url: str | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="aap-bench-"))
    os.environ.update(
        APP_ENV="test",
        SECRET_KEY=secrets.token_urlsafe(32),
        PSEUDONYM_KEY=secrets.token_urlsafe(32),
        DATA_KEY=Fernet.generate_key().decode(),
        VAULT_KEY=Fernet.generate_key().decode(),
        SERVICE_TOKEN=secrets.token_urlsafe(24),
        RASA_API_TOKEN=secrets.token_urlsafe(24),
        ACTION_SERVER_TOKEN=secrets.token_urlsafe(24),
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.db'}",
        CHANNELS_WORKERS="false",
    )


def _fill(count: int) -> tuple[str, str]:
    from feedback_api.cases import service as cases
    from feedback_api.cases.schemas import CaseCreate, CaseType
    from feedback_api.cases.state_machine import Status
    from feedback_api.contacts import service as contacts
    from feedback_api.db import get_sessionmaker
    from feedback_api.main import messaging
    from feedback_api.taxonomy import load_provinces, load_taxonomy

    rng = random.Random(7)
    categories = list(load_taxonomy().categories)
    topics = list(load_taxonomy().topics)
    provinces = list(load_provinces())
    statuses = ["ACKNOWLEDGED", "IN_PROGRESS", "RESPONDED"]
    sample_ref = ""
    gateway = messaging()
    with get_sessionmaker()() as session:
        for i in range(count):
            contact = (
                contacts.ensure_contact(session, "sms", f"+98912{i:07d}") if i % 3 == 0 else None
            )
            case, _ = cases.create_case(
                session,
                CaseCreate(
                    type=rng.choice(list(CaseType)),
                    category=rng.choice(categories),
                    topic=rng.choice(topics),
                    channel=rng.choice(["telegram", "sms", "phone"]),
                    language=rng.choice(["fa", "prs"]),
                    province=rng.choice(provinces),
                    description="شرح نمونه برای سنجش کارایی " * 3,
                ),
                actor="bench",
                contact=contact,
            )
            if i % 4 == 0 and case.sensitivity != "S3":
                target = rng.choice(statuses)
                path = {
                    "ACKNOWLEDGED": ["ACKNOWLEDGED"],
                    "IN_PROGRESS": ["ACKNOWLEDGED", "IN_PROGRESS"],
                    "RESPONDED": ["ACKNOWLEDGED", "RESPONDED"],
                }[target]
                for status in path:
                    cases.change_status(
                        session, case, Status(status), actor="bench", user=None, messaging=gateway
                    )
            for n in range(2):
                cases.add_message(session, case, "in", f"پیام {n}", actor="contact")
            if case.sensitivity in ("S0", "S1") and not sample_ref:
                sample_ref = case.reference
            if i % 500 == 499:
                session.commit()
        session.commit()
    return sample_ref, ""


def _users() -> dict[str, str]:
    from feedback_api.db import get_sessionmaker
    from feedback_api.users.service import create_user, issue_token

    tokens = {}
    with get_sessionmaker()() as session:
        for role in ("operator", "cfm_manager"):
            user = create_user(session, f"bench_{role}", role, "bench password 123")
            session.flush()
            tokens[role] = issue_token(session, user)
        session.commit()
    return tokens


def _time(client: object, path: str, token: str | None, rounds: int) -> list[float]:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    cookies = {"aap_session": token} if token else {}
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    response = client.get(path)  # warm-up
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    _environment(args.database_url)

    from fastapi.testclient import TestClient

    from feedback_api import migrate
    from feedback_api.main import build_app

    migrate.upgrade()
    started = time.perf_counter()
    sample_ref, _ = _fill(args.cases)
    tokens = _users()
    print(f"filled {args.cases} cases in {time.perf_counter() - started:.0f} s")

    client = TestClient(build_app())
    baseline = _time(client, "/health", None, args.rounds)
    base = statistics.median(baseline)
    rows = [("GET /health (baseline)", baseline)]
    pages = [
        ("queue, operator", "/console/", "operator"),
        ("queue, cfm_manager", "/console/", "cfm_manager"),
        ("queue, filtered (CMN, sms)", "/console/?category=CMN&channel=sms", "operator"),
        ("queue, page 20", "/console/?offset=1000", "operator"),
        ("case list", "/console/cases", "operator"),
        ("case page", f"/console/cases/{sample_ref}", "operator"),
        ("notifications poll", "/console/api/notifications.json", "operator"),
    ]
    for label, path, role in pages:
        rows.append((label, _time(client, path, tokens[role], args.rounds)))
    print(f"{'page':32} {'median ms':>10} {'p95 ms':>8} {'x health':>9}  budget")
    for label, times in rows:
        median = statistics.median(times)
        p95 = sorted(times)[max(int(len(times) * 0.95) - 1, 0)]
        ratio = median / base if base else float("nan")
        ok = (
            ""
            if label.startswith("GET /health")
            else ("ok" if median <= BUDGET_MS and ratio <= BUDGET_RATIO else "OVER")
        )
        print(f"{label:32} {median:10.1f} {p95:8.1f} {ratio:9.1f}  {ok}")
    print(f"budget: median <= {BUDGET_MS:.0f} ms and <= {BUDGET_RATIO:.0f}x /health")


if __name__ == "__main__":
    main()
