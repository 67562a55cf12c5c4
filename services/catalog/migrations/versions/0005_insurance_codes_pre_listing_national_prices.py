"""CAT-11 national insurance codes; CAT-12 pre-listing (status pre_listed, the first day on the
platform, alerts raised) and national lowest prices.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("products", sa.Column("insurance_code", sa.String(27), nullable=True,
                                        comment="CAT-11 national insurance code (医保药品/耗材代码), as published"))
    op.add_column("products", sa.Column("pre_listed_on", sa.Date, nullable=True,
                                        comment="CAT-12: the first day the product was on the platform before its "
                                                "batch started"))
    op.create_index("ix_products_insurance_code", "products", ["insurance_code"],
                    postgresql_ops={"insurance_code": "text_pattern_ops"})
    op.drop_constraint("ck_products_status", "products", type_="check")
    op.create_check_constraint("ck_products_status", "products",
                               "status IN ('pre_listed', 'listed', 'suspended', 'disqualified', 'delisted')")
    # Batches of the preset created before the setting existed get its pre-listing deadline (seeds 000/002).
    op.execute("""UPDATE batches SET policy = policy || '{"pre_listing_working_days": 10}'::jsonb
                  WHERE policy->>'preset' = 'chongqing-2025' AND NOT policy ? 'pre_listing_working_days'""")
    op.create_table(
        "pre_listing_alerts",
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("deadline_on", sa.Date, nullable=False),
        sa.Column("raised_on", sa.Date, nullable=False),
        sa.Column("explain", JSONB, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name="pk_pre_listing_alerts"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_pre_listing_alerts_product_id_products"),
    )
    op.create_index("ix_pre_listing_alerts_batch_code", "pre_listing_alerts", ["batch_code"])
    op.create_table(
        "national_lowest_prices",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("group_code", sa.String(64), nullable=True, comment="one group (组别); NULL: the whole category"),
        sa.Column("product_id", sa.BigInteger, nullable=True, comment="one product; NULL: the scope"),
        sa.Column("price_fen", sa.BigInteger, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False, comment="where the figure comes from"),
        sa.Column("status", sa.String(16), nullable=False, comment="pending until its day, then applied"),
        sa.Column("outcome", JSONB, nullable=True, comment="the listings lowered or suspended"),
        sa.Column("applied_on", sa.Date, nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_national_lowest_prices"),
        sa.ForeignKeyConstraint(["batch_code"], ["batches.code"], name="fk_national_lowest_prices_batch_code_batches"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_national_lowest_prices_product_id_products"),
        sa.CheckConstraint("price_fen > 0", name="ck_national_lowest_prices_price_positive"),
        sa.CheckConstraint("status IN ('pending', 'applied')", name="ck_national_lowest_prices_status_known"),
        sa.CheckConstraint("group_code IS NULL OR product_id IS NULL", name="ck_national_lowest_prices_one_scope"),
    )
    op.create_index("ix_national_lowest_prices_batch", "national_lowest_prices", ["batch_code", "effective_on", "id"])
    op.create_index("ix_national_lowest_prices_pending", "national_lowest_prices", ["effective_on"],
                    postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_table("national_lowest_prices")
    op.drop_table("pre_listing_alerts")
    op.execute("UPDATE products SET status = 'listed' WHERE status = 'pre_listed'")
    op.drop_constraint("ck_products_status", "products", type_="check")
    op.create_check_constraint("ck_products_status", "products",
                               "status IN ('listed', 'suspended', 'disqualified', 'delisted')")
    op.drop_index("ix_products_insurance_code", "products")
    op.drop_column("products", "pre_listed_on")
    op.drop_column("products", "insurance_code")
