"""A durable outbox for case creations that could not reach the API.

A complaint must never be lost: when the API is down or slow, the action
stores the request here (SQLite in WAL mode, synchronous=FULL, so a commit
survives a crash) and a background thread delivers it when the API is back.
The client_key makes delivery idempotent: delivering twice yields one case.

What is stored is a person's words, sometimes a report of abuse: each request is
encrypted (Fernet, ACTIONS_SPOOL_KEY) and found by a keyed hash of the contact's
pseudonym, so a deletion request can take that person's items out. A request the
API refused (a 4xx) stays for a person to look at, then expires.
"""

from __future__ import annotations

import hashlib
import hmac
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

from cryptography.fernet import Fernet, InvalidToken

from actions.api import ApiError, ApiUnavailable, FeedbackApi

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spooled_cases (
    id INTEGER PRIMARY KEY,
    client_key TEXT NOT NULL UNIQUE,
    -- HMAC of the contact pseudonym: the person's items, without naming them
    contact_tag TEXT NOT NULL,
    body BLOB NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL,
    -- 'pending' or 'rejected' (a 4xx: kept for a person to look at, then expired)
    state TEXT NOT NULL DEFAULT 'pending',
    rejected_at REAL,
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
    def __init__(self, path: Path, key: str, rejected_days: float = 30.0) -> None:
        self.path = path
        self._fernet = Fernet(key.encode())
        self._tag_key = hashlib.sha256(b"spool-contact:" + key.encode()).digest()
        self.rejected_seconds = rejected_days * 86400
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            self._encrypt_old_rows(db)

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

    def _encrypt_old_rows(self, db: sqlite3.Connection) -> None:
        """A spool from before encryption (table `outbox`, plain JSON): move it over."""
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'"
        ).fetchone():
            return
        db.execute("BEGIN IMMEDIATE")
        for _key, body, attempts, created, state in db.execute(
            "SELECT client_key, body, attempts, created_at, state FROM outbox"
        ).fetchall():
            self._insert(db, json.loads(body), attempts=attempts, created_at=created, state=state)
        db.execute("DROP TABLE outbox")
        db.execute("COMMIT")

    def tag(self, contact: str) -> str:
        return hmac.new(self._tag_key, contact.encode(), hashlib.sha256).hexdigest()

    def _insert(self, db: sqlite3.Connection, body: dict[str, Any], **row: Any) -> None:
        now = time.time()
        db.execute(
            "INSERT OR IGNORE INTO spooled_cases (client_key, contact_tag, body, attempts,"
            " next_attempt_at, created_at, state, rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                body["client_key"],
                self.tag(str(body.get("contact", ""))),
                self._fernet.encrypt(json.dumps(body).encode()),
                row.get("attempts", 0),
                0.0,
                row.get("created_at", now),
                row.get("state", "pending"),
                now if row.get("state") == "rejected" else None,
            ),
        )

    def put(self, body: dict[str, Any]) -> None:
        """Store a case creation; the same client_key twice keeps one row."""
        with self._connect() as db:
            self._insert(db, {**body, "notify_contact": True})

    def pending_count(self) -> int:
        with self._connect() as db:
            return db.execute(
                "SELECT count(*) FROM spooled_cases WHERE state = 'pending'"
            ).fetchone()[0]

    def claim_due(self, now: float, contact: str | None = None) -> list[SpooledCase]:
        """Pending items due now, or all of one contact's pending items."""
        where = "state = 'pending' AND " + (
            "contact_tag = ?" if contact is not None else "next_attempt_at <= ?"
        )
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute(
                f"SELECT id, client_key, body, attempts FROM spooled_cases WHERE {where}"  # noqa: S608 (fixed clauses)
                " ORDER BY id",
                (self.tag(contact) if contact is not None else now,),
            ).fetchall()
            db.executemany(
                "UPDATE spooled_cases SET next_attempt_at = ? WHERE id = ?",
                [(now + _LEASE_SECONDS, row[0]) for row in rows],
            )
            db.execute("COMMIT")
        claimed = []
        for row_id, key, token, attempts in rows:
            try:
                body = json.loads(self._fernet.decrypt(bytes(token)))
            except InvalidToken:
                # Another key (rotated away): the row cannot be read by anyone; say so.
                logger.error("spooled case %s cannot be decrypted with ACTIONS_SPOOL_KEY", row_id)
                continue
            claimed.append(SpooledCase(row_id, key, body, attempts))
        return claimed

    def next_due_in(self, now: float) -> float | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT min(next_attempt_at) FROM spooled_cases WHERE state = 'pending'"
            ).fetchone()
        return None if row[0] is None else max(0.0, row[0] - now)

    def delivered(self, item: SpooledCase) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM spooled_cases WHERE id = ?", (item.id,))

    def retry_later(self, item: SpooledCase, delay: float, error: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE spooled_cases SET attempts = attempts + 1, next_attempt_at = ?,"
                " last_error = ? WHERE id = ?",
                (time.time() + delay, error, item.id),
            )

    def rejected(self, item: SpooledCase, error: str) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE spooled_cases SET state = 'rejected', rejected_at = ?, last_error = ?"
                " WHERE id = ?",
                (time.time(), error, item.id),
            )

    def expire_rejected(self, now: float) -> int:
        """Refused requests are kept for a while for a person to look at, not for ever."""
        with self._connect() as db:
            return db.execute(
                "DELETE FROM spooled_cases WHERE state = 'rejected' AND rejected_at < ?",
                (now - self.rejected_seconds,),
            ).rowcount

    def drop_contact(self, contact: str) -> int:
        """A deletion request: nothing of this person stays here."""
        with self._connect() as db:
            return db.execute(
                "DELETE FROM spooled_cases WHERE contact_tag = ?", (self.tag(contact),)
            ).rowcount


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

    def deliver_due(self, contact: str | None = None) -> int:
        """One pass over the due items (or all of one contact's); returns how many
        were delivered."""
        delivered = 0
        for item in self.spool.claim_due(time.time(), contact):
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
                self.spool.expire_rejected(time.time())
                wait = self.spool.next_due_in(time.time())
            except Exception:
                # The thread must outlive a locked or broken spool file.
                logger.exception("spool delivery pass failed")
                wait = self.base_delay
            self._wake.wait(timeout=self.max_delay if wait is None else max(wait, 0.2))
            self._wake.clear()
