"""Migrations: up to the heads and down to base, on the backend under test."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from feedback_api import migrate
from feedback_api.db import make_engine
from feedback_api.models import Base

FOUNDATION = {
    "cases",
    "case_timeline",
    "contacts",
    "contact_vault",
    "audit_log",
    "users",
    "handoffs",
    "user_sessions",
    "login_throttle",
    "channel_outbox",
    "channel_inbound",
}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        return set(conn.execute(text(query)).scalars())


def test_upgrade_to_heads_and_downgrade_to_base(empty_database: str) -> None:
    engine = make_engine(empty_database)
    config = migrate.alembic_config(empty_database)
    heads = set(ScriptDirectory.from_config(config).get_heads())

    migrate.upgrade(empty_database)
    assert _tables(engine) >= FOUNDATION
    with engine.connect() as conn:
        assert set(MigrationContext.configure(conn).get_current_heads()) == heads
    assert {"case_timeline_redact_only", "case_timeline_no_delete"} <= _triggers(engine)

    migrate.upgrade(empty_database)  # again: nothing to do, no error

    command.downgrade(config, "base")
    assert _tables(engine) - {"alembic_version"} == set()
    assert _triggers(engine) == set()

    migrate.upgrade(empty_database)  # and back up
    assert _tables(engine) >= FOUNDATION
    engine.dispose()


def test_the_migrated_schema_matches_the_models(fresh_database: str) -> None:
    engine = make_engine(fresh_database)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()

    def table_of(diff: object) -> str | None:
        first = diff[0] if isinstance(diff, list) else diff
        for item in first if isinstance(first, tuple) else ():
            name = getattr(item, "table", None)
            name = getattr(name, "name", None) or getattr(item, "name", None)
            if isinstance(name, str) and name in FOUNDATION:
                return name
            if isinstance(item, str) and item in FOUNDATION:
                return item
        return None

    foundation_diffs = [diff for diff in diffs if table_of(diff)]
    assert foundation_diffs == []


def test_hardening_keeps_users_that_cases_and_handoffs_point_to(empty_database: str) -> None:
    """0010 drops columns of `users` in place: rows that reference a user survive both ways."""
    engine = make_engine(empty_database)
    config = migrate.alembic_config(empty_database)
    command.upgrade(config, "0003")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, is_active,"
                " failed_logins, session_epoch, created_at)"
                " VALUES (7, 'leila', 'Leila', 'operator', 'x', true, 0, 0, '2025-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO contacts (id, pseudonym, channel, callback_consent, opted_out,"
                " created_at, last_seen_at) VALUES ('c1', 'p1', 'sms', false, false,"
                " '2025-01-01', '2025-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO handoffs (contact_id, status, requested_at, claimed_by_id)"
                " VALUES ('c1', 'active', '2025-01-01', 7)"
            )
        )
    command.upgrade(config, "0010_hardening")
    command.downgrade(config, "0003")
    migrate.upgrade(empty_database)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users WHERE id = 7")).scalar() == "leila"
        assert conn.execute(text("SELECT claimed_by_id FROM handoffs")).scalar() == 7
    engine.dispose()
