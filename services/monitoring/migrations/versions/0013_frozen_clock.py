"""Kit v4: a frozen clock's last setting is kept across a restart (issue 13, item 4).

Revision ID: 0013
Revises: 0012
"""
from vbpkit.db.migrations import create_frozen_clock_v4, drop_frozen_clock_v4

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_frozen_clock_v4()


def downgrade() -> None:
    drop_frozen_clock_v4()
