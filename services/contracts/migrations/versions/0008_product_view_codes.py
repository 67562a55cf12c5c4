"""The catalog view keeps each product's CAT-11 national insurance code and pricing unit
(vbpkit.projections: MON-11 maps a HIS's national codes through them).

Revision ID: 0008
Revises: 0007
"""
from vbpkit.projections.migrations import add_product_view_codes_v1

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_product_view_codes_v1()


def downgrade() -> None:
    from alembic import op

    op.drop_index("ix_product_view_insurance_code", "product_view")
    op.drop_column("product_view", "unit")
    op.drop_column("product_view", "insurance_code")
