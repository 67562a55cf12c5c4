"""Agreed volumes, agreements with items and signatures, orders, deliveries, returns.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NOW = sa.func.now()


def upgrade() -> None:
    op.create_table(
        "agreed_volumes",
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("batch_code", "agreement_year", "hospital_code", "product_id",
                                name="pk_agreed_volumes"),
        sa.CheckConstraint("quantity >= 0", name="ck_agreed_volumes_quantity_not_negative"),
        sa.CheckConstraint("agreement_year >= 1", name="ck_agreed_volumes_year_from_one"),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_year", sa.Integer, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("distributor_code", sa.String(18)),
        sa.Column("with_service", sa.Boolean, nullable=False, comment="seed 004: the hospital chooses per agreement"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_agreements"),
        sa.UniqueConstraint("batch_code", "agreement_year", "hospital_code", "manufacturer_code", "version",
                            name="uq_agreements_version"),
        sa.CheckConstraint("status IN ('draft', 'signing', 'effective', 'superseded')", name="ck_agreements_status"),
    )
    for column in ("hospital_code", "manufacturer_code", "distributor_code"):
        op.create_index(f"ix_agreements_{column}", "agreements", [column])
    op.create_table(
        "agreement_items",
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.Column("product_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("agreed_quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False, comment="winning price when generated"),
        sa.PrimaryKeyConstraint("agreement_id", "product_id", name="pk_agreement_items"),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"], name="fk_agreement_items_agreement_id_agreements"),
    )
    op.create_table(
        "agreement_signatures",
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.Column("party", sa.String(16), nullable=False),
        sa.Column("signer", sa.String(100), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", "party", name="pk_agreement_signatures"),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreements.id"],
                                name="fk_agreement_signatures_agreement_id_agreements"),
        sa.CheckConstraint("party IN ('hospital', 'manufacturer', 'distributor')", name="ck_agreement_signatures_party"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("his_order_no", sa.String(64), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False, comment="the order as first placed"),
        sa.Column("placed_by", sa.String(100), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("hospital_code", "his_order_no", name="uq_orders_his_order_no"),
    )
    op.create_index("ix_orders_hospital_code", "orders", ["hospital_code"])
    op.create_table(
        "order_lines",
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("agreement_id", sa.BigInteger, nullable=False),
        sa.Column("manufacturer_code", sa.String(18), nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price_fen", sa.BigInteger, nullable=False),
        sa.Column("beyond_agreed", sa.Boolean, nullable=False,
                  comment="ordered past the agreed volume (still at the winning price)"),
        sa.Column("status", sa.String(16), nullable=False, comment="pending | confirmed | declined"),
        sa.Column("decline_reason", sa.Text),
        sa.Column("delivered_quantity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("order_id", "line_no", name="pk_order_lines"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_order_lines_order_id_orders"),
        sa.CheckConstraint("quantity > 0", name="ck_order_lines_quantity_positive"),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'declined')", name="ck_order_lines_status"),
        sa.CheckConstraint("delivered_quantity <= quantity", name="ck_order_lines_not_over_delivered"),
    )
    op.create_index("ix_order_lines_agreement_id", "order_lines", ["agreement_id"])
    op.create_index("ix_order_lines_distributor_code", "order_lines", ["distributor_code"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.BigInteger, nullable=False),
        sa.Column("hospital_code", sa.String(64), nullable=False),
        sa.Column("distributor_code", sa.String(18), nullable=False),
        sa.Column("delivered_on", sa.Date, nullable=False),
        sa.Column("accepted_on", sa.Date),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_deliveries_order_id_orders"),
    )
    for column in ("order_id", "hospital_code", "distributor_code"):
        op.create_index(f"ix_deliveries_{column}", "deliveries", [column])
    op.create_table(
        "delivery_lines",
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, autoincrement=False, nullable=False, comment="the order line delivered"),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("lot", sa.String(64), nullable=False),
        sa.Column("udi", sa.String(200)),
        sa.Column("accepted_quantity", sa.Integer),
        sa.Column("returned_quantity", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", "line_no", name="pk_delivery_lines"),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], name="fk_delivery_lines_delivery_id_deliveries"),
        sa.CheckConstraint("quantity > 0", name="ck_delivery_lines_quantity_positive"),
        sa.CheckConstraint("accepted_quantity IS NULL OR accepted_quantity BETWEEN 0 AND quantity",
                           name="ck_delivery_lines_accepted_le_delivered"),
        sa.CheckConstraint("returned_quantity BETWEEN 0 AND COALESCE(accepted_quantity, 0)",
                           name="ck_delivery_lines_returned_le_accepted"),
    )
    op.create_table(
        "returns",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("returned_on", sa.Date, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], name="fk_returns_delivery_id_deliveries"),
        sa.CheckConstraint("quantity > 0", name="ck_returns_quantity_positive"),
    )
    op.create_index("ix_returns_delivery_id", "returns", ["delivery_id"])


def downgrade() -> None:
    for table in ("returns", "delivery_lines", "deliveries", "order_lines", "orders", "agreement_signatures",
                  "agreement_items", "agreements", "agreed_volumes"):
        op.drop_table(table)
