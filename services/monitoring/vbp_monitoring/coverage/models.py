"""MON-15 coverage and signing: the agreed volumes contracts set and the agreements awaiting their
signatures, from contracts' events."""

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class AgreedVolumeFact(Base):
    """``contracts.agreed_volume.set``: a hospital's agreed quantity of a product for a year (CON-1)."""

    __tablename__ = "agreed_volume_facts"

    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    agreement_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    hospital_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    quantity: Mapped[int] = mapped_column(Integer)


class SigningFact(Base):
    """An agreement version generated (``contracts.agreement.generated``), the parties that signed
    it (``.signed``) and whether it took effect (``.effective``)."""

    __tablename__ = "signing_facts"

    agreement_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64))
    agreement_year: Mapped[int] = mapped_column(Integer)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    manufacturer_code: Mapped[str] = mapped_column(String(18))
    distributor_code: Mapped[str | None] = mapped_column(String(18))
    generated_on: Mapped[date] = mapped_column(Date)
    signed: Mapped[list[str]] = mapped_column(ARRAY(String(16)), comment="the parties that signed")
    effective: Mapped[bool] = mapped_column(default=False)
