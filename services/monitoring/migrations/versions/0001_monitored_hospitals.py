"""Kit tables and the monitored-hospital read model.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from vbpkit.db.migrations import create_kit_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_kit_tables_v1()
    op.create_table(
        "monitored_hospitals",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_monitored_hospitals"),
    )
    op.create_index("ix_monitored_hospitals_region_code", "monitored_hospitals", ["region_code"])


def downgrade() -> None:
    op.drop_table("monitored_hospitals")
