"""Queries of the receivables report (SET-2 ageing)."""

from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice
from vbp_settlement.payments.repository import paid_of_invoice


async def open_invoices(session: AsyncSession, *, company_code: str) -> list[Row]:
    """A company's live invoices (submitted or accepted) not fully paid, oldest due first:
    (id, number, hospital_code, status, amount_fen, paid_fen, due_on); paid = Σ payments −
    Σ reversals."""
    paid = paid_of_invoice()
    rows = await session.execute(
        select(Invoice.id, Invoice.number, Invoice.hospital_code, Invoice.status, Invoice.amount_fen,
               paid.label("paid_fen"), Invoice.due_on)
        .where(Invoice.company_code == company_code, Invoice.status.in_(LIVE_STATUSES), Invoice.amount_fen > paid)
        .order_by(Invoice.due_on, Invoice.id))
    return list(rows)
