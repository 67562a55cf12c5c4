"""Kit tables v2: parked events and the indexes retention deletes by.

Revision ID: 0002
Revises: 0001
"""
from vbpkit.migrations import create_kit_tables_v2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables_v2()
