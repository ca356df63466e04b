"""channels: inbound messages, outbox, contact state, callback payloads

Revision ID: 0002_channels
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_channels"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("media_type", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_channel_inbound_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_channel_inbound_handoff_id_handoffs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_channel_inbound_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_inbound")),
        sa.UniqueConstraint(
            "channel", "external_id", name="uq_channel_inbound_channel_external_id"
        ),
    )
    op.create_index(
        op.f("ix_channel_inbound_contact_id"), "channel_inbound", ["contact_id"], unique=False
    )
    op.create_index(op.f("ix_channel_inbound_status"), "channel_inbound", ["status"], unique=False)
    op.create_index(
        "ix_channel_inbound_contact_status",
        "channel_inbound",
        ["contact_id", "status"],
        unique=False,
    )

    op.create_table(
        "channel_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=80), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("address", sa.LargeBinary(), nullable=True),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("in_reply_to", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_channel_outbox_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to"],
            ["channel_inbound.id"],
            name=op.f("fk_channel_outbox_in_reply_to_channel_inbound"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_outbox")),
    )
    op.create_index(
        op.f("ix_channel_outbox_contact_id"), "channel_outbox", ["contact_id"], unique=False
    )
    op.create_index(
        op.f("ix_channel_outbox_provider_id"), "channel_outbox", ["provider_id"], unique=False
    )
    op.create_index(
        "ix_channel_outbox_due",
        "channel_outbox",
        ["status", "priority", "next_attempt_at"],
        unique=False,
    )

    op.create_table(
        "channel_contact_state",
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("last_menu", sa.JSON(), nullable=True),
        sa.Column("pending_satisfaction_case_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_wait_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_channel_contact_state_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pending_satisfaction_case_id"],
            ["cases.id"],
            name=op.f("fk_channel_contact_state_pending_satisfaction_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_channel_contact_state")),
    )

    op.create_table(
        "channel_callback_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("payload", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_callback_payloads")),
        sa.UniqueConstraint("key", name=op.f("uq_channel_callback_payloads_key")),
    )


def downgrade() -> None:
    op.drop_table("channel_callback_payloads")
    op.drop_table("channel_contact_state")
    op.drop_index("ix_channel_outbox_due", table_name="channel_outbox")
    op.drop_index(op.f("ix_channel_outbox_provider_id"), table_name="channel_outbox")
    op.drop_index(op.f("ix_channel_outbox_contact_id"), table_name="channel_outbox")
    op.drop_table("channel_outbox")
    op.drop_index("ix_channel_inbound_contact_status", table_name="channel_inbound")
    op.drop_index(op.f("ix_channel_inbound_status"), table_name="channel_inbound")
    op.drop_index(op.f("ix_channel_inbound_contact_id"), table_name="channel_inbound")
    op.drop_table("channel_inbound")
