"""MON-1: agreements with their items, accepted delivery lines and returns, from contracts' events.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("agreement_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("version_no", sa.Integer, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", name="pk_agreements"),
    )
    op.create_index("ix_agreements_batch_code", "agreements", ["batch_code"])
    op.create_index("ix_agreements_hospital_code", "agreements", ["hospital_code"])
    op.create_index("ix_agreements_manufacturer_code", "agreements", ["manufacturer_code"])
    op.create_table(
        "agreement_items",
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("agreed_quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "product_id", name="pk_agreement_items"),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.agreement_id"],
                                name="fk_agreement_items_agreement_id_agreements"),
        sa.CheckConstraint("agreed_quantity >= 0", name="ck_agreement_items_agreed_not_negative"),
    )
    op.create_table(
        "accepted_lines",
        sa.Column("delivery_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("line_no", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", "line_no", name="pk_accepted_lines"),
        sa.CheckConstraint("quantity > 0", name="ck_accepted_lines_quantity_positive"),
    )
    op.create_index("ix_accepted_lines_item", "accepted_lines",
                    ["batch_code", "hospital_code", "product_id", "agreement_year"])
    op.create_table(
        "line_returns",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("returned_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_line_returns"),
        sa.ForeignKeyConstraint(["delivery_id", "line_no"], ["accepted_lines.delivery_id", "accepted_lines.line_no"],
                                name="fk_line_returns_delivery_id_accepted_lines"),
        sa.CheckConstraint("quantity > 0", name="ck_line_returns_quantity_positive"),
    )
    op.create_index("ix_line_returns_line", "line_returns", ["delivery_id", "line_no"])


def downgrade() -> None:
    for table in ("line_returns", "accepted_lines", "agreement_items", "agreements"):
        op.drop_table(table)
