"""Batches, groups, products and their history, lower prices, reductions, companies, calendar.

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


def _stamps():
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("organiser_level", sa.String(16), nullable=False),
        sa.Column("document_no", sa.String(100), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("cycle_years", sa.Integer),
        sa.Column("ends_on", sa.Date, nullable=False, comment="last day of the cycle as now in force"),
        sa.Column("planned_ends_on", sa.Date, nullable=False, comment="last day as first published"),
        sa.Column("ended_early_on", sa.Date),
        sa.Column("end_reason", sa.Text),
        sa.Column("policy", postgresql.JSONB, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("code", name="pk_batches"),
        sa.CheckConstraint("kind IN ('drug', 'consumable')", name="ck_batches_kind"),
        sa.CheckConstraint(
            "organiser_level IN ('national', 'alliance', 'provincial', 'prefecture')", name="ck_batches_organiser_level"
        ),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_batches_ends_after_start"),
    )
    op.create_table(
        "batch_groups",
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("batch_code", "code", name="pk_batch_groups"),
        sa.ForeignKeyConstraint(["batch_code"], ["batches.code"], name="fk_batch_groups_batch_code_batches"),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("group_code", sa.String(64)),
        sa.Column("registration_no", sa.String(64), nullable=False),
        sa.Column("spec", sa.String(200), nullable=False, comment="规格型号; empty when the batch lists none"),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("applicant", sa.String(200), nullable=False, comment="申报企业"),
        sa.Column("applicant_credit_code", sa.String(18)),
        sa.Column("registrant", sa.String(200), nullable=False, comment="注册人"),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("winning", sa.Boolean, nullable=False),
        sa.Column("product_price_fen", sa.BigInteger, nullable=False),
        sa.Column("service_price_fen", sa.BigInteger, nullable=False),
        sa.Column("winning_price_fen", sa.BigInteger, nullable=False),
        sa.Column("national_lowest_price_fen", sa.BigInteger, comment="CAT-7 cap of a non-winning listing"),
        sa.Column("derivation", postgresql.JSONB, comment="CAT-8 differential-price explain, if derived"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("renewed_from", sa.String(64), comment="CAT-5: the registration number renewed"),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("batch_code", "registration_no", "spec", name="uq_products_listing"),
        sa.CheckConstraint("winning_price_fen = product_price_fen + service_price_fen", name="ck_products_winning_price_sum"),
        sa.CheckConstraint("product_price_fen >= 0 AND service_price_fen >= 0", name="ck_products_prices_not_negative"),
        sa.CheckConstraint(
            "status IN ('listed', 'suspended', 'disqualified', 'delisted')", name="ck_products_status"
        ),
        sa.ForeignKeyConstraint(["batch_code"], ["batches.code"], name="fk_products_batch_code_batches"),
        sa.ForeignKeyConstraint(
            ["batch_code", "group_code"], ["batch_groups.batch_code", "batch_groups.code"],
            name="fk_products_batch_code_batch_groups",
        ),
    )
    op.create_index("ix_products_applicant_credit_code", "products", ["applicant_credit_code"])
    op.create_index("ix_products_name", "products", ["name"])
    op.create_index("ix_products_registration_no", "products", ["registration_no"])
    op.create_table(
        "product_changes",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, comment="listed | price | status | registration"),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False, comment="role:key id of the caller, or system:<rule>"),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_product_changes"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_product_changes_product_id_products"),
    )
    op.create_index("ix_product_changes_product_id", "product_changes", ["product_id"])
    op.create_table(
        "lower_prices",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("price_fen", sa.BigInteger, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("region", sa.String(100), nullable=False, comment="where the lower price applies"),
        sa.Column("source", sa.Text, nullable=False, comment="the document or platform it comes from"),
        sa.Column("deadline_on", sa.Date, nullable=False),
        sa.Column("explain", postgresql.JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="open | met | lapsed"),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_lower_prices"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_lower_prices_product_id_products"),
        sa.CheckConstraint("status IN ('open', 'met', 'lapsed')", name="ck_lower_prices_status"),
    )
    op.create_index("ix_lower_prices_product_id", "lower_prices", ["product_id"])
    op.create_table(
        "price_reductions",
        sa.Column("id", sa.BigInteger, autoincrement=True, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("winning_price_fen", sa.BigInteger, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("applied", sa.Boolean, nullable=False, comment="false while its effective date is still ahead"),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("applied_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_price_reductions"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_price_reductions_product_id_products"),
    )
    op.create_index("ix_price_reductions_product_id", "price_reductions", ["product_id"])
    op.create_table(
        "companies",
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(16)), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("credit_code", name="pk_companies"),
    )
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("holidays", postgresql.ARRAY(sa.Date), nullable=False),
        sa.Column("makeup_workdays", postgresql.ARRAY(sa.Date), nullable=False),
        sa.Column("document", sa.String(200), nullable=False, comment="the State Council notice it comes from"),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_years"),
    )


def downgrade() -> None:
    for table in ("calendar_years", "companies", "price_reductions", "lower_prices", "product_changes",
                  "products", "batch_groups", "batches"):
        op.drop_table(table)
