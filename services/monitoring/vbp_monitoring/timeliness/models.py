"""What monitoring knows of settlement's timeliness facts (MON-4), from its events only:
invoices with their due dates, payments (and their reversals), tranches found late, and the
monthly fund payables with the day the fund paid them."""

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class InvoiceFact(Base):
    __tablename__ = "invoice_facts"

    invoice_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    company_code: Mapped[str] = mapped_column(String(18))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    live: Mapped[bool] = mapped_column(Boolean, comment="false once reversed (红冲) or rejected")
    overdue_on: Mapped[date | None] = mapped_column(Date, index=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, index=True,
                                                      comment="from settlement.invoice.submitted (MON-8)")


class PaymentFact(Base):
    __tablename__ = "payment_facts"

    payment_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    invoice_id: Mapped[int] = mapped_column(BigInteger, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    reversed: Mapped[bool] = mapped_column(Boolean, server_default="false")


class LateTranche(Base):
    __tablename__ = "late_tranches"

    plan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tranche: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    batch_code: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)
    late_on: Mapped[date] = mapped_column(Date)
    undisbursed_fen: Mapped[int] = mapped_column(BigInteger)


class FundPayableFact(Base):
    __tablename__ = "fund_payable_facts"

    payable_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hospital_code: Mapped[str] = mapped_column(String(64), index=True)
    fund: Mapped[str] = mapped_column(String(16))
    month: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date] = mapped_column(Date)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    live: Mapped[bool] = mapped_column(Boolean, comment="false once a corrected version superseded it")
