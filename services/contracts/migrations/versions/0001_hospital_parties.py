"""Kit tables and the hospital read model.

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
        "hospital_parties",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False, comment="occurred_at of the event applied last"),
        sa.PrimaryKeyConstraint("code", name="pk_hospital_parties"),
    )


def downgrade() -> None:
    op.drop_table("hospital_parties")
