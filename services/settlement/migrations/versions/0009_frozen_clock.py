"""Kit v4: a frozen clock's last setting is kept across a restart (issue 13, item 4).

Revision ID: 0009
Revises: 0008
"""
from vbpkit.db.migrations import create_frozen_clock_v4, drop_frozen_clock_v4

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_frozen_clock_v4()


def downgrade() -> None:
    drop_frozen_clock_v4()
