"""The kit's Registry and CatalogView projections replace monitoring's own read model.

monitored_hospitals becomes institution_view (rows copied; the fund follows the level and
kind is filled by each institution's next registration event); the registry's companies
and the catalog view (batches with policy, products) are new.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from vbpkit.projections.migrations import (
    copy_institutions_v1,
    create_catalog_view_v1,
    create_company_view_v1,
    create_institution_view_v1,
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_institution_view_v1()
    copy_institutions_v1("monitored_hospitals", kind=False, region_code=True)
    op.drop_table("monitored_hospitals")
    create_company_view_v1()
    create_catalog_view_v1()


def downgrade() -> None:
    for table in ("product_view", "batch_view", "company_view"):
        op.drop_table(table)
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
    op.execute("INSERT INTO monitored_hospitals SELECT code, name, level, region_code, as_of FROM institution_view "
               "WHERE region_code IS NOT NULL")
    op.drop_table("institution_view")
