"""MON-15: the agreed volumes contracts set and the agreements awaiting their signatures.

Revision ID: 0027
Revises: 0026
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreed_volume_facts",
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("batch_code", "agreement_year", "hospital_code", "product_id",
                                name="pk_agreed_volume_facts"),
    )
    op.create_table(
        "signing_facts",
        sa.Column("agreement_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("distributor_code", sa.String(18)),
        sa.Column("generated_on", sa.Date, nullable=False),
        sa.Column("signed", postgresql.ARRAY(sa.String(16)), nullable=False, comment="the parties that signed"),
        sa.Column("effective", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", name="pk_signing_facts"),
    )
    op.create_index("ix_signing_facts_hospital_code", "signing_facts", ["hospital_code"])


def downgrade() -> None:
    op.drop_table("signing_facts")
    op.drop_table("agreed_volume_facts")
