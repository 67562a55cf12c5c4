"""CON-8: default distributors for hospitals without an agreement, and the agreements' status
``standing`` (the record their orders go under).

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "default_distributors",
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("declared_by", sa.String(100), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("batch_code", "manufacturer_code", "region_code", name="pk_default_distributors"),
    )
    op.drop_constraint("ck_agreements_status", "agreements", type_="check")
    op.create_check_constraint("ck_agreements_status", "agreements",
                               "status IN ('draft', 'signing', 'effective', 'superseded', 'standing')")


def downgrade() -> None:
    op.drop_constraint("ck_agreements_status", "agreements", type_="check")
    op.create_check_constraint("ck_agreements_status", "agreements",
                               "status IN ('draft', 'signing', 'effective', 'superseded')")
    op.drop_table("default_distributors")
