"""The kit's Registry and CatalogView projections replace settlement's own read model.

funded_hospitals becomes institution_view (rows copied with their fund; kind and region
are filled by each institution's next registration event); the registry's companies and
the catalog view (batches with policy, products) are new.

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
    copy_institutions_v1("funded_hospitals", kind=False, region_code=False)
    op.drop_table("funded_hospitals")
    create_company_view_v1()
    create_catalog_view_v1()


def downgrade() -> None:
    for table in ("product_view", "batch_view", "company_view"):
        op.drop_table(table)
    op.create_table(
        "funded_hospitals",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("fund", sa.String(16), nullable=False, comment="employee (职工医保) | resident (居民医保)"),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_funded_hospitals"),
    )
    op.execute("INSERT INTO funded_hospitals SELECT code, name, level, fund, as_of FROM institution_view")
    op.drop_table("institution_view")
