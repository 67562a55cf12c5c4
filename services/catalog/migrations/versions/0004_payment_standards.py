"""CAT-11 payment standards, append-only; every product listed before gets its first one.

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
        "payment_standards",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("rule", sa.String(16), nullable=False, comment="winning_price | listing_price | fixed | frozen"),
        sa.Column("amount_fen", sa.BigInteger, nullable=True, comment="NULL while a frozen standard has no value"),
        sa.Column("category", sa.String(4), nullable=True, comment="甲类 | 乙类; NULL until set"),
        sa.Column("in_catalogue", sa.Boolean, nullable=False),
        sa.Column("excluded_content", sa.Boolean, nullable=False, comment="除外内容: billed apart from the service"),
        sa.Column("pinned", sa.Boolean, nullable=False, comment="set by the insurer: price changes do not move it"),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payment_standards"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_payment_standards_product_id_products"),
        sa.CheckConstraint("rule IN ('winning_price', 'listing_price', 'fixed', 'frozen')",
                           name="ck_payment_standards_rule_known"),
        sa.CheckConstraint("category IN ('甲类', '乙类')", name="ck_payment_standards_category_known"),
        sa.CheckConstraint("amount_fen IS NOT NULL OR rule = 'frozen'", name="ck_payment_standards_amount_unless_frozen"),
    )
    op.create_index("ix_payment_standards_product", "payment_standards", ["product_id", "effective_from", "id"])
    # Products listed before this revision: their first standard by their batch's preset, from
    # the day they were listed (seed 003's stents keep no value until the insurer sets one).
    op.execute("""
        INSERT INTO payment_standards (product_id, effective_from, rule, amount_fen, category, in_catalogue,
                                       excluded_content, pinned, reason, set_by)
        SELECT p.id, (p.created_at AT TIME ZONE 'Asia/Shanghai')::date, r.rule,
               CASE WHEN r.rule = 'frozen' THEN NULL ELSE p.winning_price_fen END,
               CASE WHEN b.policy->>'preset' = 'liaoning-2025' THEN '乙类' END, true,
               b.policy->>'preset' = 'liaoning-2025', false,
               'set when payment standards were introduced (CAT-11)', 'system:migration'
        FROM products p JOIN batches b ON b.code = p.batch_code
        CROSS JOIN LATERAL (SELECT CASE WHEN p.winning THEN 'winning_price'
                                        WHEN b.policy->>'preset' = 'chongqing-stent-2023' THEN 'frozen'
                                        ELSE 'listing_price' END AS rule) r""")


def downgrade() -> None:
    op.drop_table("payment_standards")
