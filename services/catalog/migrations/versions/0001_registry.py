"""Kit tables and the institution registry (CAT-9).

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
        "institutions",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_institutions"),
        sa.CheckConstraint("level IN (1, 2, 3)", name="ck_institutions_level"),
        sa.CheckConstraint("kind IN ('public', 'military', 'private', 'retail_pharmacy')", name="ck_institutions_kind"),
    )
    op.create_index("ix_institutions_region_code", "institutions", ["region_code"])


def downgrade() -> None:
    op.drop_table("institutions")
