"""The contracts service's own view of the catalog, kept from catalog's events.

Contracts never calls the catalog on a request path (DESIGN §2): pricing an agreement
item or an order line, refusing a suspended product, or applying a batch's renewal
rule reads these tables.
"""

from datetime import date, datetime

from sqlalchemy import ARRAY, BigInteger, Boolean, Date, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vbp_contracts.models import Base


class BatchView(Base):
    """A batch as last published, with its whole execution policy (CAT-1, §4)."""

    __tablename__ = "batch_view"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    ended_early_on: Mapped[date | None] = mapped_column(Date)
    policy: Mapped[dict] = mapped_column(JSONB)
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProductView(Base):
    """A listed product with its current winning price and status (CAT-3/4/6)."""

    __tablename__ = "product_view"

    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64), index=True)
    group_code: Mapped[str | None] = mapped_column(String(64))
    registration_no: Mapped[str] = mapped_column(String(64))
    spec: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    applicant_credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    winning: Mapped[bool] = mapped_column(Boolean)
    service_price_fen: Mapped[int] = mapped_column(BigInteger)
    winning_price_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CompanyView(Base):
    """A manufacturer and/or distributor (CAT-9): who may sign and deliver."""

    __tablename__ = "company_view"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
