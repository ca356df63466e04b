"""Two service processes run the channel workers on one PostgreSQL database.

Real OS processes (tests/channels/worker_process.py) against a Rasa stub that keeps a
tracker: every message is one Rasa turn and one reply, in order per contact, also when the
worker in the middle of a turn is killed (its lease runs out, the other takes the message
over and finds the turn in the tracker), and when a paused worker comes back after that
(its late turn is dropped, not stored a second time).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from channels import inbound
from channels.models import ContactState, InboundMessage, OutboxMessage
from channels.providers.base import Keywords, Received
from feedback_api.contacts import service as contacts
from feedback_api.contacts.models import Contact
from feedback_api.db import get_sessionmaker
from tests.conftest import BACKEND
from tests.stubs.base import Stub
from tests.stubs.rasa import RasaStub

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="many processes: PostgreSQL")

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3.0
WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class TelegramSource:
    name: str = "telegram"
    medium: str = "telegram"
    keywords: Keywords = field(default_factory=Keywords)


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Stack:
    """The stubs, the worker processes and the test's own committed rows."""

    def __init__(self, tmp: Path, delays: dict[str, float]) -> None:
        self.tmp = tmp
        self.rasa = RasaStub(delays)
        self.provider = Stub(lambda method, path, params: (200, {"ok": True}))
        self.rasa_url, self.provider_url = self.rasa.start(), self.provider.start()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.addresses: set[str] = set()
        self.sequence = 0

    def start_workers(self, count: int = 1) -> list[subprocess.Popen[bytes]]:
        """Worker processes, started together, once they run."""
        env = os.environ | {
            "INBOUND_LEASE_SECONDS": str(LEASE_SECONDS),
            "RASA_TIMEOUT_SECONDS": "5",
            "RASA_ACK_AFTER_SECONDS": "30",
            "PYTHONPATH": str(ROOT),
        }
        started = []
        for _ in range(count):
            log = (self.tmp / f"worker-{len(self.procs)}.log").open("wb")
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.channels.worker_process",
                    self.rasa_url,
                    self.provider_url,
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.procs.append(proc)
            started.append(proc)
        for proc in started:
            wait_until(lambda p=proc: b"workers running" in self.log(p), "a worker process")
        return started

    def log(self, proc: subprocess.Popen[bytes]) -> bytes:
        return (self.tmp / f"worker-{self.procs.index(proc)}.log").read_bytes()

    def store(self, address: str, text: str) -> None:
        self.addresses.add(address)
        self.sequence += 1
        received = Received(f"u{self.sequence}", address, text=text)
        with get_sessionmaker()() as session:
            inbound.store(session, TelegramSource(), received)
            session.commit()

    def sent(self, address: str) -> list[str]:
        return [
            c["params"]["text"]
            for c in self.provider.calls("/send")
            if c["params"]["chat"] == address
        ]

    def turns(self, address: str) -> list[str]:
        return [t["message"] for t in self.rasa.turns() if t["message"].startswith(address)]

    def holder_pid(self, text_prefix: str) -> int:
        with get_sessionmaker()() as session:
            claims = [
                row.claimed_by
                for row in session.scalars(select(InboundMessage))
                if row.text and row.text.startswith(text_prefix) and row.claimed_by
            ]
        assert len(claims) == 1
        return int(claims[0].split("-")[0])

    def all_answered(self, expected: dict[str, list[str]]) -> bool:
        return all(len(self.sent(a)) >= len(texts) for a, texts in expected.items())

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
        self.rasa.stop()
        self.provider.stop()
        with get_sessionmaker()() as session:
            ids = [
                contact.id
                for address in self.addresses
                if (contact := contacts.find(session, contacts.pseudonym_for("telegram", address)))
            ]
            for model in (OutboxMessage, InboundMessage):
                session.execute(delete(model).where(model.contact_id.in_(ids)))
            session.execute(delete(ContactState).where(ContactState.contact_id.in_(ids)))
            session.execute(delete(Contact).where(Contact.id.in_(ids)))
            session.commit()


@pytest.fixture
def stack_of(engine: Engine, tmp_path: Path) -> Iterator[Callable[[dict[str, float]], Stack]]:
    made: list[Stack] = []

    def make(delays: dict[str, float]) -> Stack:
        made.append(Stack(tmp_path, delays))
        return made[-1]

    yield make
    for stack in made:
        stack.close()


def test_two_processes_answer_each_message_once_in_order_even_when_one_is_killed_mid_turn(
    stack_of: Callable[[dict[str, float]], Stack],
) -> None:
    people = [f"70{n}" for n in range(4)]
    slow = f"{people[0]} slow"
    stack = stack_of({slow: 1.0})
    stack.start_workers(2)
    expected: dict[str, list[str]] = {a: [] for a in people}

    def say(address: str, text: str) -> None:
        stack.store(address, text)
        expected[address].append(text)

    for n in range(3):  # a stream, taken by both processes as they look for work
        for address in people:
            say(address, f"{address} m{n}")
            time.sleep(0.02)
    wait_until(lambda: stack.all_answered(expected), "the first messages answered")

    say(people[0], slow)
    say(people[0], f"{people[0]} after")
    wait_until(lambda: slow in stack.turns(people[0]), "the slow turn reaching Rasa")
    os.kill(stack.holder_pid(slow), signal.SIGKILL)
    for address in people[1:]:
        say(address, f"{address} m3")
    wait_until(lambda: stack.all_answered(expected), "every message answered")

    for address, texts in expected.items():
        assert stack.turns(address) == texts  # each once, in order: no turn sent twice
        assert stack.sent(address) == [f"re: {text}" for text in texts]


def test_a_worker_back_after_its_lease_ran_out_drops_its_turn(
    stack_of: Callable[[dict[str, float]], Stack],
) -> None:
    stack = stack_of({"7100 slow": 0.5})
    [first] = stack.start_workers()
    stack.store("7100", "7100 slow")
    wait_until(lambda: stack.turns("7100") == ["7100 slow"], "the turn reaching Rasa")
    first.send_signal(signal.SIGSTOP)
    try:
        stack.start_workers()  # takes the message over once the lease runs out
        wait_until(lambda: stack.sent("7100") == ["re: 7100 slow"], "the other worker's answer")
    finally:
        first.send_signal(signal.SIGCONT)
    wait_until(lambda: b"lease lost" in stack.log(first), "the first worker coming back")
    stack.store("7100", "7100 next")
    wait_until(lambda: len(stack.sent("7100")) == 2, "the next answer")

    assert stack.turns("7100") == ["7100 slow", "7100 next"]
    assert stack.sent("7100") == ["re: 7100 slow", "re: 7100 next"]
    with get_sessionmaker()() as session:
        assert _replies_stored(session, "7100") == 2


def _replies_stored(session: Session, address: str) -> int:
    contact = contacts.find(session, contacts.pseudonym_for("telegram", address))
    assert contact is not None
    return len(
        session.scalars(select(OutboxMessage).where(OutboxMessage.contact_id == contact.id)).all()
    )
