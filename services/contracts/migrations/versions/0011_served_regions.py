"""CAT-15: the regions each distributor serves (vbpkit.projections.ServiceRegions).

Revision ID: 0011
Revises: 0010
"""
from vbpkit.projections.migrations import create_served_region_view_v1, drop_served_region_view_v1

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_served_region_view_v1()


def downgrade() -> None:
    drop_served_region_view_v1()
