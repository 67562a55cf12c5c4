"""CAT-15: the regions each distributor serves, and where with accompanying service.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "served_regions",
        sa.Column("company_code", sa.String(18), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("accompanying_service", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("company_code", "region_code", name="pk_served_regions"),
        sa.ForeignKeyConstraint(["company_code"], ["companies.credit_code"],
                                name="fk_served_regions_company_code_companies"),
    )


def downgrade() -> None:
    op.drop_table("served_regions")
