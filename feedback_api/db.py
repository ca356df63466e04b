"""Engine, sessions and the declarative base (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from feedback_api.settings import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


# Execution option naming how a SQLite transaction begins ("IMMEDIATE" or "DEFERRED").
SQLITE_BEGIN = "sqlite_begin"
# As busy_timeout: how long a writer waits for its turn before "database is locked".
WRITE_WAIT_SECONDS = 30.0
_HOLDS_TURN = "aap_write_turn"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class WriteTurns:
    """On SQLite, this process's writers take turns in the order they came.

    SQLite's own wait (busy_timeout) polls with growing sleeps, so a writer that has
    waited a while sleeps longest and loses the lock to newcomers again and again: a
    flood of webhook writes starved the channel workers' writes for seconds. Queueing
    here first, in order, and only then taking SQLite's lock bounds every writer's wait
    by the writes ahead of it. (Other processes still meet busy_timeout.)
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        # The background workers' writes go first (see urgent_writes), then the rest.
        self._urgent: deque[threading.Event] = deque()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        queue = self._urgent if getattr(_writer, "urgent", False) else self._waiting
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            queue.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn in queue:
                queue.remove(turn)
                return False
        return True  # handed over just as the wait ran out

    def release(self) -> None:
        with self._mutex:
            queue = self._urgent or self._waiting
            if queue:
                queue.popleft().set()  # handed over: still held
            else:
                self._held = False


_writer = threading.local()


@contextmanager
def urgent_writes() -> Iterator[None]:
    """This thread's write transactions go ahead of request handlers' (on SQLite).

    For the channel workers: their few short transactions stand between a person's message
    and its answer, while a flood of webhook requests can keep many writes waiting.
    """
    _writer.urgent = True
    try:
        yield
    finally:
        _writer.urgent = False


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and BEGIN; take it over
    # (recipe from the SQLAlchemy SQLite dialect documentation).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    turns = WriteTurns()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so concurrent writers queue (in turn,
        # see WriteTurns) instead of failing on lock upgrade; sessions that only read
        # ask for DEFERRED (deps.ReadSessionDep) and never block the writers.
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        if mode == "IMMEDIATE":
            if not turns.acquire(WRITE_WAIT_SECONDS):
                raise sqlite3.OperationalError("database is locked (waited for a write turn)")
            conn.info[_HOLDS_TURN] = True
        try:
            conn.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _end(conn)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(conn: Any) -> None:
        if conn.info.pop(_HOLDS_TURN, False):
            turns.release()

    @event.listens_for(engine, "reset")
    def _on_reset(_dbapi_connection: Any, record: Any, _state: Any) -> None:
        # A connection back in the pool without a commit or rollback event (dropped
        # unclosed): its turn must not stay taken.
        if record.info.pop(_HOLDS_TURN, False):
            turns.release()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().sqlalchemy_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def read_only(session: Session) -> Session:
    """Mark a fresh session as read-only: on SQLite its transaction takes no write lock."""
    session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
    return session


def session_scope() -> Iterator[Session]:
    """One session per request; commits on success, rolls back on error."""
    with get_sessionmaker()() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
