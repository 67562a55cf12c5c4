"""Alembic steps that create the projections' tables in a service's database.

Frozen like ``vbpkit.db.migrations.create_kit_tables_v1``: a service's migration calls the
version it was written against; a later change to a projection's tables is a new step
(``…_v2``) that alters them, so an applied migration never changes under a database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_institution_view_v1() -> None:
    op.create_table(
        "institution_view",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("kind", sa.String(32)),
        sa.Column("region_code", sa.String(6)),
        sa.Column("fund", sa.String(16), nullable=False, comment="employee (职工医保) | resident (居民医保)"),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False, comment="occurred_at of the event applied last"),
        sa.PrimaryKeyConstraint("code", name="pk_institution_view"),
    )
    op.create_index("ix_institution_view_region_code", "institution_view", ["region_code"])


def copy_institutions_v1(source: str, *, kind: bool, region_code: bool) -> None:
    """Move the rows of a service's earlier institution read model into institution_view,
    so dropping it loses nothing; the fund follows the level (SET-3: level ≥ 2 → employee)."""
    op.execute(sa.text(
        f"INSERT INTO institution_view (code, name, level, kind, region_code, fund, as_of) "
        f"SELECT code, name, level, {'kind' if kind else 'NULL'}, {'region_code' if region_code else 'NULL'}, "
        f"CASE WHEN level >= 2 THEN 'employee' ELSE 'resident' END, as_of FROM {source}"
    ))


def create_company_view_v1() -> None:
    op.create_table(
        "company_view",
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("credit_code", name="pk_company_view"),
    )


def create_batch_view_v1() -> None:
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
    add_batch_view_groups_v1()


def add_batch_view_groups_v1() -> None:
    """CAT-2 groups on a batch_view created before they were kept."""
    op.add_column("batch_view", sa.Column("groups", postgresql.JSONB, nullable=False,
                                          server_default=sa.text("'[]'::jsonb"),
                                          comment="[{code, name}] of the batch's groups (CAT-2)"))


def create_product_view_v1() -> None:
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


def add_product_view_codes_v1() -> None:
    """CAT-11's national insurance code and the pricing unit on a product_view created before
    they were kept (MON-11 maps a HIS's ``med_list_codg`` through the code). Rows kept before
    have neither until catalog's product events are applied again (a replay of vbp.catalog)."""
    op.add_column("product_view", sa.Column("insurance_code", sa.String(27),
                                            comment="CAT-11 national insurance code (医保药品/耗材代码)"))
    op.add_column("product_view", sa.Column("unit", sa.String(32), comment="the unit the catalog prices (盒, 支, 个)"))
    op.create_index("ix_product_view_insurance_code", "product_view", ["insurance_code"])


def drop_product_view_codes_v1() -> None:
    """Undo :func:`add_product_view_codes_v1`."""
    op.drop_index("ix_product_view_insurance_code", "product_view")
    op.drop_column("product_view", "unit")
    op.drop_column("product_view", "insurance_code")


def create_registry_v1() -> None:
    """The Registry projection's tables."""
    create_institution_view_v1()
    create_company_view_v1()


def create_catalog_view_v1() -> None:
    """The CatalogView projection's tables."""
    create_batch_view_v1()
    create_product_view_v1()


def create_backup_view_v1() -> None:
    """The Backups projection's table (CAT-13 designations; CON-7 transfers to them)."""
    op.create_table(
        "backup_view",
        sa.Column("backup_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("batch_code", sa.String(64), nullable=False),
        sa.Column("failing_product_id", sa.BigInteger, nullable=False),
        sa.Column("backup_product_id", sa.BigInteger, nullable=False),
        sa.Column("backup_manufacturer_code", sa.String(18)),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("price_fen", sa.BigInteger, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("designated_on", sa.Date, nullable=False),
        sa.Column("withdrawn_on", sa.Date),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("backup_id", name="pk_backup_view"),
    )
    op.create_index("ix_backup_view_failing_product_id", "backup_view", ["failing_product_id"])


def drop_backup_view_v1() -> None:
    op.drop_index("ix_backup_view_failing_product_id", "backup_view")
    op.drop_table("backup_view")


def create_lot_hold_view_v1() -> None:
    """The LotHolds projection's table (CAT-14 holds; CON-5 refuses their acceptance)."""
    op.create_table(
        "lot_hold_view",
        sa.Column("hold_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("lot", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hold_id", name="pk_lot_hold_view"),
    )
    op.create_index("ix_lot_hold_view_product_id", "lot_hold_view", ["product_id"])


def drop_lot_hold_view_v1() -> None:
    op.drop_table("lot_hold_view")


def create_served_region_view_v1() -> None:
    """The ServiceRegions projection's table (CAT-15: a designation outside them is refused)."""
    op.create_table(
        "served_region_view",
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("regions", postgresql.JSONB, nullable=False),
        sa.Column("declared_on", sa.Date, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("credit_code", name="pk_served_region_view"),
    )


def drop_served_region_view_v1() -> None:
    op.drop_table("served_region_view")


def create_calendar_year_view_v1() -> None:
    """The CalendarView projection's table (CAT-10 years ops loaded)."""
    op.create_table(
        "calendar_year_view",
        sa.Column("year", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("holidays", postgresql.ARRAY(sa.Date), nullable=False),
        sa.Column("makeup_workdays", postgresql.ARRAY(sa.Date), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_year_view"),
    )


def drop_calendar_year_view_v1() -> None:
    op.drop_table("calendar_year_view")
