"""Kit tables v2: parked events and the indexes retention deletes by.

Revision ID: 0005
Revises: 0004
"""
from vbpkit.db.migrations import create_kit_tables_v2

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables_v2()
