"""Queries of the payments feature (SET-2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice
from vbp_settlement.payments.models import Payment


async def paid_fen(session: AsyncSession, invoice_ids: Iterable[int]) -> dict[int, int]:
    """What each invoice has been paid: the sum of its payments (STYLE, money movements)."""
    ids = list(set(invoice_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Payment.invoice_id, func.sum(Payment.amount_fen))
                                 .where(Payment.invoice_id.in_(ids)).group_by(Payment.invoice_id))
    return {invoice_id: int(total) for invoice_id, total in rows}


async def payments_of(session: AsyncSession, invoice_id: int) -> list[Payment]:
    return list(await session.scalars(select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)))


async def mark_overdue(session: AsyncSession, *, today: date) -> list[Invoice]:
    """SET-2: live invoices unpaid after their due date and not yet marked, marked now.

    One UPDATE: a concurrent second check waits on the rows the first one marks and then
    finds ``overdue_on`` set, so each invoice is marked — and announced — exactly once."""
    paid = (select(func.coalesce(func.sum(Payment.amount_fen), 0))
            .where(Payment.invoice_id == Invoice.id).scalar_subquery())
    marked = await session.scalars(
        update(Invoice)
        .where(Invoice.overdue_on.is_(None), Invoice.status.in_(LIVE_STATUSES), Invoice.due_on < today,
               Invoice.amount_fen > paid)
        .values(overdue_on=today)
        .returning(Invoice))
    return list(marked)
