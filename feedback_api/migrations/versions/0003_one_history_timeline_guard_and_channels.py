"""one history: the timeline guard and the channel tables were written side by side

Revision ID: 0003
Revises: 0002_channels, 0002_timeline_guard
"""

from __future__ import annotations

revision = "0003"
down_revision = ("0002_channels", "0002_timeline_guard")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the two branches."""


def downgrade() -> None:
    """Nothing to change."""
