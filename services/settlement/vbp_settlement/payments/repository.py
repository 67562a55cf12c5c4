"""Queries of the payments feature (SET-2, and the fund's SET-5 payments)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import BigInteger, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice
from vbp_settlement.payments.models import Payment, PaymentReversal


def paid_of_invoice():
    """Correlated to ``Invoice``: what it has been paid — Σ its payments − Σ their reversals
    (a reversal takes back its whole payment, so: Σ the payments not reversed)."""
    return (select(cast(func.coalesce(func.sum(Payment.amount_fen), 0), BigInteger))
            .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
            .where(Payment.invoice_id == Invoice.id, PaymentReversal.id.is_(None))
            .scalar_subquery())


async def paid_fen(session: AsyncSession, invoice_ids: Iterable[int]) -> dict[int, int]:
    """What each invoice has been paid: Σ payments − Σ reversals (STYLE, money movements)."""
    ids = list(set(invoice_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Payment.invoice_id, func.sum(Payment.amount_fen))
                                 .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
                                 .where(Payment.invoice_id.in_(ids), PaymentReversal.id.is_(None))
                                 .group_by(Payment.invoice_id))
    return {invoice_id: int(total) for invoice_id, total in rows}


async def payments_of(session: AsyncSession, invoice_id: int) -> list[tuple[Payment, PaymentReversal | None]]:
    """An invoice's payments in order, each with its reversal if it was reversed."""
    rows = await session.execute(select(Payment, PaymentReversal)
                                 .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
                                 .where(Payment.invoice_id == invoice_id).order_by(Payment.id))
    return [(p, r) for p, r in rows]


async def payment(session: AsyncSession, payment_id: int) -> Payment | None:
    return await session.get(Payment, payment_id)


async def reversal_of(session: AsyncSession, payment_id: int) -> PaymentReversal | None:
    return await session.scalar(select(PaymentReversal).where(PaymentReversal.payment_id == payment_id))


async def add(session: AsyncSession, row: Payment | PaymentReversal) -> None:
    session.add(row)
    await session.flush()
    await session.refresh(row)


async def mark_overdue(session: AsyncSession, *, today: date) -> list[Invoice]:
    """SET-2: live invoices unpaid after their due date and not yet marked, marked now.

    One UPDATE: a concurrent second check waits on the rows the first one marks and then
    finds ``overdue_on`` set, so each invoice is marked — and announced — exactly once."""
    marked = await session.scalars(
        update(Invoice)
        .where(Invoice.overdue_on.is_(None), Invoice.status.in_(LIVE_STATUSES), Invoice.due_on < today,
               Invoice.amount_fen > paid_of_invoice())
        .values(overdue_on=today)
        .returning(Invoice))
    return list(marked)
