"""timeline guard: no deletes on case_timeline, and a redaction changes nothing but the body

Revision ID: 0002_timeline_guard
Revises: 0001

0001 let any DELETE through and let a "redaction" rewrite from_status, to_status
or user_id along with the body. The history of a case is append-only: the one
change allowed is blanking a body and stamping redacted_at (erasure, S3 purge).
Cases are never deleted, so refusing deletes does not block a cascade in use.
"""

from __future__ import annotations

from alembic import op

revision = "0002_timeline_guard"
down_revision = "0001"
branch_labels = None
depends_on = None

_OLD = (
    "NEW.body IS NULL AND NEW.redacted_at IS NOT NULL AND NEW.kind = OLD.kind "
    "AND NEW.actor = OLD.actor AND NEW.at = OLD.at AND NEW.case_id = OLD.case_id"
)


def _same(column: str, dialect: str) -> str:
    if dialect == "sqlite":
        return f"NEW.{column} IS OLD.{column}"
    return f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"


def _redaction(dialect: str) -> str:
    return " AND ".join(
        [
            _OLD,
            "NEW.id = OLD.id",
            *(_same(c, dialect) for c in ("from_status", "to_status", "user_id")),
        ]
    )


def _create(condition: str, dialect: str) -> None:
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER case_timeline_redact_only BEFORE UPDATE ON case_timeline "
            f"WHEN NOT ({condition}) "
            "BEGIN SELECT RAISE(ABORT, 'case_timeline is append-only'); END"
        )
    else:
        op.execute(
            "CREATE TRIGGER case_timeline_redact_only BEFORE UPDATE ON case_timeline "
            f"FOR EACH ROW WHEN (NOT ({condition})) EXECUTE FUNCTION refuse_change()"
        )


def _drop(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS case_timeline_redact_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_timeline_redact_only ON case_timeline")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop(dialect)
    _create(_redaction(dialect), dialect)
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER case_timeline_no_delete BEFORE DELETE ON case_timeline "
            "BEGIN SELECT RAISE(ABORT, 'case_timeline is append-only'); END"
        )
    else:
        op.execute(
            "CREATE TRIGGER case_timeline_no_delete BEFORE DELETE ON case_timeline "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS case_timeline_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS case_timeline_no_delete ON case_timeline")
    _drop(dialect)
    _create(_OLD, dialect)
