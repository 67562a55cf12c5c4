"""The catalog view keeps each product's CAT-11 national insurance code and pricing unit
(vbpkit.projections: MON-11 maps a HIS's national codes through them).

Revision ID: 0017
Revises: 0016
"""
from vbpkit.projections.migrations import add_product_view_codes_v1, drop_product_view_codes_v1

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_product_view_codes_v1()


def downgrade() -> None:
    drop_product_view_codes_v1()
