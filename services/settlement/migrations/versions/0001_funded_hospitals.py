"""Kit tables and the funded-hospital read model.

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
        "funded_hospitals",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("fund", sa.String(16), nullable=False, comment="employee (职工医保) | resident (居民医保)"),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_funded_hospitals"),
    )


def downgrade() -> None:
    op.drop_table("funded_hospitals")
