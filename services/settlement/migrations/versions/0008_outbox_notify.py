"""Kit v3: the outbox NOTIFYs its relay on commit (issue 13, item 3).

Revision ID: 0008
Revises: 0007
"""
from vbpkit.db.migrations import create_outbox_notify_v3, drop_outbox_notify_v3

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_notify_v3()


def downgrade() -> None:
    drop_outbox_notify_v3()
