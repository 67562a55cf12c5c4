from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from vbp_contracts.models import Base

PARTIES = ("hospital", "manufacturer", "distributor")


class Agreement(Base):
    """采购协议: one per (batch, agreement year, hospital, manufacturer) and version (CON-2).

    A signed agreement is immutable; a change makes a new version, and the old one is
    superseded. ``status``: draft → signing → effective, or superseded; ``standing`` (version 0,
    no items, never signed) is the record the orders of a hospital without an agreement go
    under where the batch's policy accepts them (CON-8), superseded by the first agreement.
    """

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_year: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18), index=True)
    distributor_code: Mapped[str | None] = mapped_column(String(18), index=True)
    with_service: Mapped[bool] = mapped_column(Boolean, comment="seed 004: the hospital chooses per agreement")
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    effective_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("batch_code", "agreement_year", "hospital_code", "manufacturer_code", "version",
                         name="uq_agreements_version"),
        CheckConstraint("status IN ('draft', 'signing', 'effective', 'superseded', 'standing')", name="status"),
    )


class AgreementItem(Base):
    __tablename__ = "agreement_items"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    agreed_quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger, comment="winning price when generated")


class Signature(Base):
    """An electronic signature: who, when, and the SHA-256 of the canonical content signed."""

    __tablename__ = "agreement_signatures"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), primary_key=True)
    party: Mapped[str] = mapped_column(String(16), primary_key=True)
    signer: Mapped[str] = mapped_column(String(100))
    content_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("party IN ('hospital', 'manufacturer', 'distributor')", name="party"),)
