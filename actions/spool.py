"""A durable outbox for case creations that could not reach the API.

A complaint must never be lost: when the API is down or slow, the action
stores the request here (SQLite in WAL mode, synchronous=FULL, so a commit
survives a crash) and a background thread delivers it when the API is back.
The client_key makes delivery idempotent: delivering twice yields one case.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.api import ApiError, ApiUnavailable, FeedbackApi

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY,
    client_key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL,
    -- 'pending' or 'rejected' (a 4xx: kept for a person to look at, never dropped)
    state TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
)
"""

# How long a claimed item is hidden from other workers while one delivers it.
_LEASE_SECONDS = 60.0


@dataclass(frozen=True)
class SpooledCase:
    id: int
    client_key: str
    body: dict[str, Any]
    attempts: int


class CaseSpool:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One connection per operation: the action server's event loop threads
        # and the delivery thread never share a connection.
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=FULL")
            yield db
        finally:
            db.close()

    def put(self, body: dict[str, Any]) -> None:
        """Store a case creation; the same client_key twice keeps one row."""
        body = {**body, "notify_contact": True}
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO outbox (client_key, body, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?)",
                (body["client_key"], json.dumps(body), 0.0, time.time()),
            )

    def pending_count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]

    def claim_due(self, now: float) -> list[SpooledCase]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                "SELECT id, client_key, body, attempts FROM outbox"
                " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id",
                (now,),
            ).fetchall()
            db.executemany(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ?",
                [(now + _LEASE_SECONDS, row[0]) for row in rows],
            )
            db.execute("COMMIT")
        return [SpooledCase(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def next_due_in(self, now: float) -> float | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"
            ).fetchone()
        return None if row[0] is None else max(0.0, row[0] - now)

    def delivered(self, item: SpooledCase) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (item.id,))

    def retry_later(self, item: SpooledCase, delay: float, error: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
                " WHERE id = ?",
                (time.time() + delay, error, item.id),
            )

    def rejected(self, item: SpooledCase, error: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE outbox SET state = 'rejected', last_error = ? WHERE id = ?",
                (error, item.id),
            )


class SpoolDeliverer:
    """Delivers spooled cases with exponential backoff, in a daemon thread."""

    def __init__(
        self, spool: CaseSpool, api: FeedbackApi, base_delay: float, max_delay: float
    ) -> None:
        self.spool = spool
        self.api = api
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_due(self) -> int:
        """One pass over the due items; returns how many were delivered."""
        delivered = 0
        for item in self.spool.claim_due(time.time()):
            try:
                answer = self.api.create_case(item.body)
            except ApiUnavailable as exc:
                delay = min(self.base_delay * 2**item.attempts, self.max_delay)
                self.spool.retry_later(item, delay, str(exc))
                logger.warning("spooled case still undelivered (%s), retry in %.0fs", exc, delay)
                continue
            except ApiError as exc:
                # A 4xx will not heal by itself: keep the row for a person, loudly.
                self.spool.rejected(item, f"{exc.status}: {exc.detail}")
                logger.error("spooled case rejected by the API with status %s", exc.status)
                continue
            self.spool.delivered(item)
            delivered += 1
            logger.info("spooled case delivered as %s", answer.get("reference_display"))
        return delivered

    def wake(self) -> None:
        """Try now (a new item was spooled)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="case-spool", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.deliver_due()
                wait = self.spool.next_due_in(time.time())
            except Exception:
                # The thread must outlive a locked or broken spool file.
                logger.exception("spool delivery pass failed")
                wait = self.base_delay
            self._wake.wait(timeout=self.max_delay if wait is None else max(wait, 0.2))
            self._wake.clear()
