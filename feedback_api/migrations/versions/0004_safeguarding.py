"""safeguarding: outbox messages tied to a case; conversations to erase from Rasa;
when a contact's conversation was last purged

Revision ID: 0004_safeguarding
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_safeguarding"
down_revision = "0003"
branch_labels = None
depends_on = None


FK = "fk_channel_outbox_case_id_cases"


def upgrade() -> None:
    # Nothing references channel_outbox, so SQLite's batch copy is safe there; `contacts`
    # gets a plain ALTER TABLE: a copy would drop it under the handoffs' cascading keys.
    with op.batch_alter_table("channel_outbox") as batch:
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(FK, "cases", ["case_id"], ["id"], ondelete="SET NULL")
    op.add_column(
        "contacts", sa.Column("transcript_purged_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "channel_conversation_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_conversation_erasures")),
        sa.UniqueConstraint("sender", name=op.f("uq_channel_conversation_erasures_sender")),
    )


def downgrade() -> None:
    op.drop_table("channel_conversation_erasures")
    op.drop_column("contacts", "transcript_purged_at")
    with op.batch_alter_table("channel_outbox") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.drop_column("case_id")
