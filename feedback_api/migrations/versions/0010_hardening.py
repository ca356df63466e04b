"""hardening: server-side sessions, login throttling, a fair outbox, inbound rates

Revision ID: 0010_hardening
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_hardening"
down_revision = "0004_safeguarding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_index(op.f("ix_user_sessions_expires_at"), "user_sessions", ["expires_at"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    # Sessions are rows now (every signed token of the old kind ends here); no account is
    # locked any more: failures are counted per address in login_throttle. Plain ALTER TABLE
    # DROP COLUMN (SQLite 3.35+), not a batch copy: copying `users` would drop the table
    # under the foreign keys of cases, handoffs and the audit log.
    for column in ("failed_logins", "locked_until", "session_epoch"):
        op.drop_column("users", column)
    op.create_index(
        op.f("ix_channel_outbox_unsent"), "channel_outbox", ["status", "contact_id", "id"]
    )
    op.create_index(op.f("ix_channel_inbound_processed_at"), "channel_inbound", ["processed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_channel_inbound_processed_at"), table_name="channel_inbound")
    op.drop_index(op.f("ix_channel_outbox_unsent"), table_name="channel_outbox")
    op.add_column(
        "users", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "users", sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
    )
    op.drop_table("login_throttle")
    op.drop_index(op.f("ix_user_sessions_expires_at"), table_name="user_sessions")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
