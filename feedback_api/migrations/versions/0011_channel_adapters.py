"""channel adapters: a contact's last provider; "sms" transports are Twilio's

Revision ID: 0011_channel_adapters
Revises: 0010_hardening
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_channel_adapters"
down_revision = "0010_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("channel_contact_state", sa.Column("transport", sa.String(16), nullable=True))
    # Before the Android SMS provider, "sms" could only mean Twilio.
    for table in ("channel_inbound", "channel_outbox"):
        op.execute(f"UPDATE {table} SET transport = 'twilio' WHERE transport = 'sms'")  # noqa: S608


def downgrade() -> None:
    for table in ("channel_inbound", "channel_outbox"):
        op.execute(f"UPDATE {table} SET transport = 'sms' WHERE transport = 'twilio'")  # noqa: S608
    op.drop_column("channel_contact_state", "transport")
