"""What the channel gateway adds to a turn, measured from outside, in one run.

    .venv/bin/python bench/gateway_bench.py [--turns 15] [--database-url URL] [--no-scale]

Starts the service (SQLite in a temp dir unless --database-url), the action server and
Rasa with the newest model of bot/models, with the Telegram and Twilio stubs of
tests/stubs (the tests/e2e harness), and measures, at 1 and at 20 concurrent contacts
(each waits 1 s between turns):

- direct: Rasa's REST webhook, until its answer;
- telegram: the Telegram webhook, until `sendMessage` reaches the stub;
- sms: the Twilio SMS webhook, until the message reaches Twilio's stub;

each until the turn's first message and until its last; p50, p95, turns per second and
the ratio to direct, and the service's own time from stored to sent (from its tables).

Then the scale-out run, on PostgreSQL with Rasa's SQL tracker store there and its Redis
lock store: 1 service process and 1 Rasa server, then 2 and 2 (webhooks spread over the
service processes as a proxy would, each contact sending two messages at once to two
different processes), contacts answering as soon as they are answered: the throughput
ratio, and messages lost, duplicated and out of order (from Rasa's tracker store).

Goal (issue 13; not a timed test, read the figures): a gateway turn <= 1.15x a direct
turn at p50 and <= 1.25x at p95, at 1 and at 20 contacts. JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from tests.e2e.conftest import System, environment, free_port, latest_model, wait_for  # noqa: E402
from tests.stubs import android_sms as android_stub  # noqa: E402
from tests.stubs import telegram as telegram_stub  # noqa: E402
from tests.stubs import twilio as twilio_stub  # noqa: E402
from tests.stubs.base import Stub  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Questions the assistant answers from its knowledge, the same way every time, and that
# the gateway's triage takes for no disclosure; the first that answers alike is used.
PROBES = ("ساعات کاری شما چیست؟", "دفتر شما کجاست؟", "سلام", "ممنون")
THINK_SECONDS = 1.0
TURN_TIMEOUT = 60.0
RESULTS = ROOT / "bench" / "results"
_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)


class Arrivals:
    """When each message reached a provider stub, per chat (Telegram chat id, phone number)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.at: dict[str, list[float]] = defaultdict(list)

    def hook(self, stub: Stub, is_send: Callable[[str], bool], chat_key: str) -> None:
        handler = stub.handler

        def recording(method: str, path: str, params: dict[str, Any]) -> Any:
            answer = handler(method, path, params)
            if is_send(path):
                with self.cond:
                    self.at[str(params.get(chat_key))].append(time.perf_counter())
                    self.cond.notify_all()
            return answer

        stub.handler = recording

    def count(self, chat: str) -> int:
        with self.cond:
            return len(self.at[chat])

    def wait(self, chat: str, n: int, timeout: float) -> float | None:
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.at[chat]) >= n, timeout):
                return None
            return self.at[chat][n - 1]


@dataclass
class Stack:
    system: System
    services: list[str]
    rasas: list[str]
    arrivals: Arrivals
    database_url: str
    tracker_url: str
    rr: Iterator[int] = field(default_factory=lambda: itertools.cycle([0, 1]))
    local: threading.local = field(default_factory=threading.local)

    @property
    def http(self) -> httpx.Client:
        """One keep-alive client per contact's thread, as a provider or a client app keeps
        its connections: a new httpx client per request costs the bench process about 20 ms
        of CPU (its SSL context), which would be measured as the system's time."""
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = httpx.Client()
        return client

    @property
    def token(self) -> str:
        return self.system.env["RASA_API_TOKEN"]

    def service(self, index: int | None = None) -> str:
        return self.services[(next(self.rr) if index is None else index) % len(self.services)]

    def direct(self, sender: str, message: str) -> list[dict[str, Any]]:
        r = self.http.post(
            f"{self.rasas[0]}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TURN_TIMEOUT,
        )
        r.raise_for_status()
        return list(r.json())

    def telegram(self, chat: str, message: str, service: str) -> None:
        update = {
            "update_id": next(_ids),
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": {"id": int(chat), "type": "private"},
                "from": {"id": int(chat), "is_bot": False, "first_name": "B"},
                "text": message,
            },
        }
        secret = self.system.env["TELEGRAM_WEBHOOK_SECRET"]
        r = self.http.post(
            f"{service}/webhooks/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            timeout=30,
        )
        r.raise_for_status()

    def sms(self, number: str, message: str, service: str) -> None:
        form = {
            "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": self.system.env["TWILIO_ACCOUNT_SID"],
            "From": number,
            "To": self.system.env["TWILIO_FROM_NUMBER"],
            "Body": message,
            "NumMedia": "0",
        }
        # The signature is over the public URL (PUBLIC_BASE_URL, the first process's).
        signed = f"{self.services[0]}/webhooks/twilio/sms"
        sig = RequestValidator(self.system.env["TWILIO_AUTH_TOKEN"]).compute_signature(signed, form)
        r = self.http.post(
            f"{service}/webhooks/twilio/sms",
            data=form,
            headers={"X-Twilio-Signature": sig},
            timeout=30,
        )
        r.raise_for_status()


def _pg(statement: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


def _pg_database(name: str) -> str:
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def launch(
    *, database_url: str | None, services: int = 1, rasas: int = 1, scale_out: bool = False
) -> Iterator[Stack]:
    """The system through the tests/e2e harness; on PostgreSQL with Redis when scale_out."""
    tmp = Path(tempfile.mkdtemp(prefix="aap-gateway-bench-"))
    logs = tmp / "logs"
    logs.mkdir()
    tg, twilio, android = (
        telegram_stub.make_stub(),
        twilio_stub.make_stub(),
        android_stub.make_stub(),
    )
    arrivals = Arrivals()
    arrivals.hook(tg, lambda p: p.endswith("sendMessage"), "chat_id")
    arrivals.hook(twilio, lambda p: p.endswith("Messages.json"), "To")
    stubs = {"telegram": tg.start(), "twilio": twilio.start(), "android": android.start()}
    service_ports = [free_port() for _ in range(services)]
    rasa_ports = [free_port() for _ in range(rasas)]
    action_port = free_port()
    run = uuid.uuid4().hex[:8]
    tracker_db = tmp / "tracker.db"
    if scale_out:
        database_url = _pg_database(f"aap_gwbench_{run}")
        tracker_url = _pg_database(f"aap_gwbench_rasa_{run}")
        stores = (
            "tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: 127.0.0.1\n"
            f"  port: 5432\n  username: postgres\n  db: aap_gwbench_rasa_{run}\n"
            "lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n  db: 5\n"
            f"  key_prefix: gwbench{run}\n"
        )
    else:
        database_url = database_url or f"sqlite:///{tmp / 'service.db'}"
        tracker_url = f"sqlite:///{tracker_db}"
        stores = f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {tracker_db}\n"
    (tmp / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{action_port}/webhook\n"
        "  headers:\n    Authorization: Bearer ${ACTION_SERVER_TOKEN}\n" + stores
    )
    rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    env = environment(
        tmp,
        service_port=service_ports[0],
        rasa_url=rasa_urls[0],
        stubs=stubs,
        database_url=database_url,
        tracker_store_url=tracker_url,
    ) | {
        "RASA_URLS": ",".join(rasa_urls),
        # The gateway is measured, not the providers' rates: no send waits for a bucket.
        "SMS_RATE_PER_SECOND": "1000",
        "TELEGRAM_RATE_PER_SECOND": "1000",
        "TELEGRAM_CHAT_RATE_PER_SECOND": "100",
        "LOG_LEVEL": "WARNING",
    }
    system = System(
        tmp=tmp,
        env=env,
        service_url=f"http://127.0.0.1:{service_ports[0]}",
        rasa_port=rasa_ports[0],
        action_port=action_port,
        tg=tg,
        twilio=twilio,
        android=android,
        db=create_engine(database_url.replace("postgresql://", "postgresql+psycopg://")),
        tracker_db=tracker_db,
        logs=logs,
    )
    names: list[str] = []
    try:
        for i, port in enumerate(service_ports):  # one after another: each migrates first
            names.append("service" if i == 0 else f"service-{i + 1}")
            system.start(names[-1], port)
            wait_for(
                lambda p=port: httpx.get(f"http://127.0.0.1:{p}/health", timeout=2).is_success,
                timeout=90,
                what="service",
            )
        names.append("actions")
        system.start("actions")
        for i, port in enumerate(rasa_ports):
            names.append("rasa" if i == 0 else f"rasa-{i + 1}")
            system.start(names[-1], port)
        for url in rasa_urls:
            wait_for(
                lambda u=url: (
                    httpx.get(f"{u}/status", params={"token": env["RASA_API_TOKEN"]}, timeout=2)
                    .json()
                    .get("model_file")
                ),
                timeout=400,
                every=1,
                what="rasa",
            )
        yield Stack(
            system,
            [f"http://127.0.0.1:{p}" for p in service_ports],
            rasa_urls,
            arrivals,
            database_url,
            tracker_url,
        )
    finally:
        for name in reversed(names):
            system.stop(name)
        for stub in (tg, twilio, android):
            stub.stop()
        system.db.dispose()
        if scale_out:
            for name in (f"aap_gwbench_{run}", f"aap_gwbench_rasa_{run}"):
                _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"logs in {logs}", file=sys.stderr)


def calibrate(stack: Stack) -> tuple[str, int]:
    """A probe the assistant answers with the same number of messages every time."""
    for probe in PROBES:
        sender = uuid.uuid4().hex[:26]
        counts = {len(stack.direct(sender, probe)) for _ in range(3)}
        if len(counts) == 1 and counts != {0}:
            return probe, counts.pop()
    raise SystemExit("no probe answers alike every time")


def _chat(path: str) -> str:
    n = next(_ids) % 10_000_000
    return str(700_000_000 + n) if path == "telegram" else f"+9891{n:08d}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Run:
    path: str
    contacts: int
    first_ms: list[float] = field(default_factory=list)
    last_ms: list[float] = field(default_factory=list)
    missing: int = 0
    seconds: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)

    def summary(self) -> dict[str, Any]:
        def stats(values: list[float]) -> dict[str, float]:
            if not values:
                return {"p50": float("nan"), "p95": float("nan")}
            return {"p50": statistics.median(values), "p95": percentile(values, 95)}

        return {
            "path": self.path,
            "contacts": self.contacts,
            "turns": len(self.first_ms),
            "missing": self.missing,
            "turns_per_second": len(self.first_ms) / self.seconds if self.seconds else 0.0,
            "first_ms": stats(self.first_ms),
            "last_ms": stats(self.last_ms),
        }


def measure(stack: Stack, path: str, contacts: int, turns: int, probe: str, replies: int) -> Run:
    run = Run(path, contacts)
    lock = threading.Lock()

    def contact(_: int) -> None:
        chat = _chat(path) if path != "direct" else uuid.uuid4().hex[:26]
        for _turn in range(turns):
            before = stack.arrivals.count(chat)
            started = time.perf_counter()
            if path == "direct":
                stack.direct(chat, probe)
                first = last = time.perf_counter()
            else:
                send = stack.telegram if path == "telegram" else stack.sms
                send(chat, probe, stack.service(0))
                first_at = stack.arrivals.wait(chat, before + 1, TURN_TIMEOUT)
                last_at = stack.arrivals.wait(chat, before + replies, 5.0) if first_at else None
                if first_at is None or last_at is None:
                    with lock:
                        run.missing += 1
                    continue
                first, last = first_at, last_at
            with lock:
                run.first_ms.append((first - started) * 1000)
                run.last_ms.append((last - started) * 1000)
            time.sleep(THINK_SECONDS)

    wall = time.time()
    began = time.perf_counter()
    with ThreadPoolExecutor(contacts) as pool:
        list(pool.map(contact, range(contacts)))
    run.seconds = time.perf_counter() - began
    run.window = (wall, time.time())
    return run


def server_side(stack: Stack, channel: str, window: tuple[float, float]) -> dict[str, float]:
    """Stored to sent, in the service: the first and the last reply of each message."""
    import datetime as dt

    start, end = (dt.datetime.fromtimestamp(t, dt.UTC) for t in window)
    rows = _rows(
        stack,
        "SELECT i.received_at, min(o.sent_at), max(o.sent_at) FROM channel_inbound i "
        "JOIN channel_outbox o ON o.in_reply_to = i.id "
        "WHERE i.channel = :channel AND i.received_at BETWEEN :start AND :end "
        "AND o.sent_at IS NOT NULL GROUP BY i.id, i.received_at",
        channel=channel,
        start=start,
        end=end,
    )

    def ms(a: Any, b: Any) -> float:
        a, b = (v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v) for v in (a, b))
        return (b - a).total_seconds() * 1000

    first = [ms(r[0], r[1]) for r in rows]
    last = [ms(r[0], r[2]) for r in rows]
    if not first:
        return {}
    return {
        "first_p50": statistics.median(first),
        "first_p95": percentile(first, 95),
        "last_p50": statistics.median(last),
        "last_p95": percentile(last, 95),
    }


def _rows(stack: Stack, sql: str, **params: Any) -> list[Any]:
    with stack.system.db.connect() as conn:
        return list(conn.execute(text(sql), params))


def latency(args: argparse.Namespace) -> dict[str, Any]:
    with launch(database_url=args.database_url) as stack:
        probe, replies = calibrate(stack)
        print(f"probe {probe!r}: {replies} message(s) a turn", file=sys.stderr)
        for path in ("direct", "telegram", "sms"):  # warm every path once
            measure(stack, path, 1, 2, probe, replies)
        runs: list[dict[str, Any]] = []
        for contacts in (1, 20):
            for path in ("direct", "telegram", "sms"):
                run = measure(stack, path, contacts, args.turns, probe, replies)
                summary = run.summary()
                if path != "direct":
                    summary["server"] = server_side(
                        stack, path if path != "sms" else "sms", run.window
                    )
                runs.append(summary)
                print(f"  {path} x{contacts}: done", file=sys.stderr)
    for r in runs:
        base = next(b for b in runs if b["path"] == "direct" and b["contacts"] == r["contacts"])
        for key in ("p50", "p95"):
            r[f"ratio_first_{key}"] = r["first_ms"][key] / base["first_ms"][key]
            r[f"ratio_last_{key}"] = r["last_ms"][key] / base["last_ms"][key]
    return {"probe": probe, "replies_per_turn": replies, "runs": runs}


def scale_run(services: int, rasas: int, contacts: int, seconds: float) -> dict[str, Any]:
    """Contacts on Telegram sending two messages at once (to two service processes),
    answering as soon as both are answered, for `seconds`."""
    with launch(database_url=None, services=services, rasas=rasas, scale_out=True) as stack:
        probe, replies = calibrate(stack)
        sent: dict[str, int] = defaultdict(int)
        answered = 0
        missing = 0
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def contact(index: int) -> None:
            nonlocal answered, missing
            chat = _chat("telegram")
            while time.perf_counter() < deadline:
                before = stack.arrivals.count(chat)
                for k in range(2):
                    stack.telegram(chat, probe, stack.service(index + k))
                    with lock:
                        sent[chat] += 1
                got = stack.arrivals.wait(chat, before + 2 * replies, TURN_TIMEOUT)
                with lock:
                    if got is None:
                        missing += 1
                    else:
                        answered += 2

        began = time.perf_counter()
        with ThreadPoolExecutor(contacts) as pool:
            list(pool.map(contact, range(contacts)))
        elapsed = time.perf_counter() - began
        time.sleep(3)  # late replies, if any, counted as duplicates below
        chats = list(sent)
        extra = sum(max(0, stack.arrivals.count(c) - sent[c] * replies) for c in chats)
        short = sum(max(0, sent[c] * replies - stack.arrivals.count(c)) for c in chats)
        user_events = _tracker_turns(stack)
        duplicated = sum(len(ids) - len(set(ids)) for ids in user_events.values())
        out_of_order = sum(
            sum(1 for a, b in itertools.pairwise(ids) if b < a) for ids in user_events.values()
        )
        inbound = _rows(
            stack,
            "SELECT count(*) FROM channel_inbound WHERE status <> 'done'",
        )[0][0]
    return {
        "services": services,
        "rasas": rasas,
        "contacts": contacts,
        "messages": sum(sent.values()),
        "turns_per_second": answered / elapsed,
        "lost": short + int(inbound),
        "duplicated": duplicated + extra,
        "out_of_order": out_of_order,
        "rasa_turns": sum(len(ids) for ids in user_events.values()),
    }


def _tracker_turns(stack: Stack) -> dict[str, list[int]]:
    """Each sender's turns in Rasa's tracker store, as gateway message numbers, in order."""
    engine = create_engine(stack.tracker_url)
    turns: dict[str, list[int]] = defaultdict(list)
    with engine.connect() as conn:
        for sender, data in conn.execute(
            text("SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id")
        ):
            message_id = str(json.loads(data).get("message_id") or "")
            if message_id.startswith("gw-"):
                turns[sender].append(int(message_id[3:]))
    engine.dispose()
    return turns


def table(result: dict[str, Any]) -> str:
    lines = [
        "| path | contacts | first p50 / p95 ms | last p50 / p95 ms | x direct p50 / p95 "
        "(last) | turns/s | stored->sent p50 / p95 ms (last) | missing |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in result["latency"]["runs"]:
        server = r.get("server") or {}
        lines.append(
            f"| {r['path']} | {r['contacts']} "
            f"| {r['first_ms']['p50']:.0f} / {r['first_ms']['p95']:.0f} "
            f"| {r['last_ms']['p50']:.0f} / {r['last_ms']['p95']:.0f} "
            f"| {r['ratio_last_p50']:.2f} / {r['ratio_last_p95']:.2f} "
            f"| {r['turns_per_second']:.1f} "
            + (f"| {server['last_p50']:.0f} / {server['last_p95']:.0f} " if server else "| - ")
            + f"| {r['missing']} |"
        )
    scale = result.get("scale")
    if scale:
        lines += [
            "",
            "| services + Rasa | contacts | messages | turns/s | lost | duplicated "
            "| out of order |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for s in scale["runs"]:
            lines.append(
                f"| {s['services']} + {s['rasas']} | {s['contacts']} | {s['messages']} "
                f"| {s['turns_per_second']:.1f} | {s['lost']} | {s['duplicated']} "
                f"| {s['out_of_order']} |"
            )
        lines.append(f"\nthroughput 2+2 / 1+1: {scale['throughput_ratio']:.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=15, help="turns per contact and path")
    parser.add_argument("--database-url", help="the service's database (default: SQLite)")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale-out run")
    parser.add_argument("--scale-seconds", type=float, default=40.0)
    parser.add_argument("--scale-contacts", type=int, default=20)
    args = parser.parse_args()
    if latest_model() is None:
        raise SystemExit("no trained model in bot/models (make train)")
    result: dict[str, Any] = {"latency": latency(args)}
    if not args.no_scale:
        runs = [scale_run(n, n, args.scale_contacts, args.scale_seconds) for n in (1, 2)]
        result["scale"] = {
            "runs": runs,
            "throughput_ratio": runs[1]["turns_per_second"] / runs[0]["turns_per_second"],
        }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"gateway-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(table(result))
    print(f"\n{out}")


if __name__ == "__main__":
    main()
