"""MON-10 facts: what the fund disbursed to a hospital for a batch, and which batches each
invoice bills (so a payment can be traced to the batch's suppliers)."""

from datetime import date

from sqlalchemy import BigInteger, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class DisbursementFact(Base):
    """A disbursement (positive) or its reversal (negative), by its settlement id."""

    __tablename__ = "disbursement_facts"

    disbursement_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    batch_code: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger, comment="negative for a reversal")
    on: Mapped[date] = mapped_column(Date)


class InvoiceBatchAmount(Base):
    """The part of an invoice that bills one batch's lines."""

    __tablename__ = "invoice_batch_amounts"

    invoice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    batch_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
