"""The kit's Registry and CatalogView projections replace contracts' own read models.

hospital_parties becomes institution_view (rows copied; region_code is filled by each
institution's next registration event) and batch_view gains the batch's groups (CAT-2).
batch_view, product_view and company_view keep their names and columns.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from vbpkit.projections.migrations import add_batch_view_groups_v1, copy_institutions_v1, create_institution_view_v1

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_institution_view_v1()
    copy_institutions_v1("hospital_parties", kind=True, region_code=False)
    op.drop_table("hospital_parties")
    add_batch_view_groups_v1()


def downgrade() -> None:
    op.drop_column("batch_view", "groups")
    op.create_table(
        "hospital_parties",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False, comment="occurred_at of the event applied last"),
        sa.PrimaryKeyConstraint("code", name="pk_hospital_parties"),
    )
    op.execute("INSERT INTO hospital_parties SELECT code, name, kind, level, as_of FROM institution_view "
               "WHERE kind IS NOT NULL")
    op.drop_table("institution_view")
