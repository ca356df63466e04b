"""worker leases: inbound and outbox rows claimed by one process at a time

Revision ID: 0012_worker_leases
Revises: 0011_channel_adapters
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_worker_leases"
down_revision = "0011_channel_adapters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("channel_inbound") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("channel_outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_outbox") as batch:
        batch.drop_column("claimed_by")
    with op.batch_alter_table("channel_inbound") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
