"""CAT-14: the lots catalog holds for quality (vbpkit.projections.LotHolds), whose acceptance is
refused.

Revision ID: 0010
Revises: 0009
"""
from vbpkit.projections.migrations import create_lot_hold_view_v1, drop_lot_hold_view_v1

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_lot_hold_view_v1()


def downgrade() -> None:
    drop_lot_hold_view_v1()
