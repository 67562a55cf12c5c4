"""MON-11: the rows of the national 进销存 interfaces hospitals send, the mappings of their
codes to products, the months reconciled; each agreement's designated distributor (filled for
agreements kept before by a replay of vbp.contracts).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "his_records",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("data_type", sa.String(16), nullable=False, comment=(
            "purchase (3503) | purchase_return (3504) | sale (3505) | sale_return (3506) | stock_count (3501) | "
            "stock_change (3502)")),
        sa.Column("fixmedins_bchno", sa.String(30), nullable=False),
        sa.Column("med_list_codg", sa.String(50), nullable=False,
                  comment="as catalog keeps codes: no separators, upper case"),
        sa.Column("quantity", sa.Numeric(16, 4), nullable=False, comment="in the HIS's unit (the smallest pricing unit)"),
        sa.Column("price", sa.Numeric(16, 6), comment="yuan per HIS unit"),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False,
                  comment="stock-in, sale, change or count time"),
        sa.Column("month", sa.Date, nullable=False, comment="the first day of happened_at's month, Beijing time"),
        sa.Column("supplier", sa.String(200), comment="spler_name of a purchase or its return"),
        sa.Column("fields", postgresql.JSONB, nullable=False, comment="every national field sent, as text; no identity"),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_his_records"),
        sa.UniqueConstraint("hospital_code", "data_type", "fixmedins_bchno", name="uq_his_records_key"),
        sa.CheckConstraint("quantity >= 0", name="ck_his_records_quantity_not_negative"),
    )
    op.create_index("ix_his_records_month", "his_records", ["month", "data_type"])
    op.create_index("ix_his_records_hospital_month", "his_records", ["hospital_code", "month"])
    op.create_table(
        "his_code_mappings",
        sa.Column("med_list_codg", sa.String(50), nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("his_units_per_unit", sa.Numeric(12, 4), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("med_list_codg", name="pk_his_code_mappings"),
        sa.CheckConstraint("his_units_per_unit > 0", name="ck_his_code_mappings_units_positive"),
    )
    op.create_table(
        "his_reconciled_months",
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("reconciled_on", sa.Date, nullable=False),
        sa.Column("hospitals", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("month", name="pk_his_reconciled_months"),
    )
    op.add_column("agreements", sa.Column(
        "distributor_code", sa.String(18),
        comment="the designated distributor of the effective version (MON-11 shows other suppliers)"))


def downgrade() -> None:
    op.drop_column("agreements", "distributor_code")
    op.drop_table("his_reconciled_months")
    op.drop_table("his_code_mappings")
    op.drop_table("his_records")
