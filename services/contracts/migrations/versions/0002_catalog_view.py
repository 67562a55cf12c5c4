"""The catalog view: batches with policies, products with prices and status, companies.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_view",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("ended_early_on", sa.Date),
        sa.Column("policy", postgresql.JSONB, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_batch_view"),
    )
    op.create_table(
        "product_view",
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("group_code", sa.String(64)),
        sa.Column("registration_no", sa.String(64), nullable=False),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("applicant_credit_code", sa.String(18)),
        sa.Column("winning", sa.Boolean, nullable=False),
        sa.Column("service_price_fen", sa.BigInteger, nullable=False),
        sa.Column("winning_price_fen", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name="pk_product_view"),
    )
    op.create_index("ix_product_view_batch_code", "product_view", ["batch_code"])
    op.create_index("ix_product_view_applicant_credit_code", "product_view", ["applicant_credit_code"])
    op.create_table(
        "company_view",
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("credit_code", name="pk_company_view"),
    )


def downgrade() -> None:
    for table in ("company_view", "product_view", "batch_view"):
        op.drop_table(table)
