"""Kit tables and an effects table.

Revision ID: 0001
Revises:
"""
from alembic import op
from vbpkit.db.migrations import create_kit_tables_v1, create_kit_tables_v2

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables_v1()
    create_kit_tables_v2()
    op.execute("CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL, code text NOT NULL, name text NOT NULL)")
