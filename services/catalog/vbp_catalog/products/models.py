from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base

STATUSES = ("pre_listed", "listed", "suspended", "disqualified", "delisted")


class Product(Base):
    """挂网产品: a product listed for a batch — a winning product (中选产品, CAT-3) or a
    non-winning product of the category listed under the cap (CAT-7).

    Identified for the exchange by (batch, registration number, spec) (CAT-4). Prices
    are fen: ``winning_price_fen`` = ``product_price_fen`` + ``service_price_fen``
    exactly (seed 003); the "without service" price (seed 004) is the product price.
    """

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_code: Mapped[str] = mapped_column(ForeignKey("batches.code"))
    group_code: Mapped[str | None] = mapped_column(String(64))
    registration_no: Mapped[str] = mapped_column(String(64))
    spec: Mapped[str] = mapped_column(String(200), comment="规格型号; empty when the batch lists none")
    name: Mapped[str] = mapped_column(String(300))
    applicant: Mapped[str] = mapped_column(String(200), comment="申报企业")
    applicant_credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    registrant: Mapped[str] = mapped_column(String(200), comment="注册人")
    unit: Mapped[str] = mapped_column(String(32))
    winning: Mapped[bool] = mapped_column(Boolean)
    product_price_fen: Mapped[int] = mapped_column(BigInteger)
    service_price_fen: Mapped[int] = mapped_column(BigInteger)
    winning_price_fen: Mapped[int] = mapped_column(BigInteger)
    national_lowest_price_fen: Mapped[int | None] = mapped_column(BigInteger, comment="CAT-7 cap of a non-winning listing")
    derivation: Mapped[dict | None] = mapped_column(JSONB, comment="CAT-8 differential-price explain, if derived")
    insurance_code: Mapped[str | None] = mapped_column(
        String(27), comment="CAT-11 national insurance code (医保药品/耗材代码), as published")
    status: Mapped[str] = mapped_column(String(16))
    pre_listed_on: Mapped[date | None] = mapped_column(
        Date, comment="CAT-12: the first day the product was on the platform before its batch started")
    renewed_from: Mapped[str | None] = mapped_column(String(64), comment="CAT-5: the registration number renewed")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        UniqueConstraint("batch_code", "registration_no", "spec", name="uq_products_listing"),
        CheckConstraint("winning_price_fen = product_price_fen + service_price_fen", name="winning_price_sum"),
        CheckConstraint("product_price_fen >= 0 AND service_price_fen >= 0", name="prices_not_negative"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        ForeignKeyConstraint(["batch_code", "group_code"], ["batch_groups.batch_code", "batch_groups.code"]),
        Index("ix_products_name", "name"),
        Index("ix_products_registration_no", "registration_no"),
        Index("ix_products_insurance_code", "insurance_code", postgresql_ops={"insurance_code": "text_pattern_ops"}),
    )


class ProductChange(Base):
    """A product's history: every price and status change with who, when and why."""

    __tablename__ = "product_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), comment="listed | price | status | registration")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100), comment="role:key id of the caller, or system:<rule>")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
