"""Kit tables v2: parked events and the indexes retention deletes by.

Revision ID: 0003
Revises: 0002
"""
from vbpkit.db.migrations import create_kit_tables_v2

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables_v2()
