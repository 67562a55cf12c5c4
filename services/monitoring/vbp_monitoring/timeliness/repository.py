"""Writes and reads of MON-4 timeliness facts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.timeliness.models import FundPayableFact, InvoiceFact, LateTranche, PaymentFact


async def put_invoice(session: AsyncSession, row: dict, *, overdue_on: date | None = None) -> None:
    statement = insert(InvoiceFact).values(**row, overdue_on=overdue_on)
    keep = {"due_on": statement.excluded.due_on, "amount_fen": statement.excluded.amount_fen,
            "submitted_on": func.coalesce(InvoiceFact.submitted_on, statement.excluded.submitted_on)}
    if overdue_on is not None:
        keep["overdue_on"] = statement.excluded.overdue_on
    await session.execute(statement.on_conflict_do_update(index_elements=["invoice_id"], set_=keep))


async def drop_invoice(session: AsyncSession, invoice_id: int) -> bool:
    """False when the invoice is not known here yet."""
    result = await session.execute(update(InvoiceFact).where(InvoiceFact.invoice_id == invoice_id).values(live=False))
    return result.rowcount == 1


async def put_payment(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(PaymentFact).values(**row).on_conflict_do_nothing(index_elements=["payment_id"]))


async def reverse_payment(session: AsyncSession, payment_id: int) -> bool:
    """False when the payment is not known here yet."""
    result = await session.execute(update(PaymentFact).where(PaymentFact.payment_id == payment_id)
                                   .values(reversed=True))
    return result.rowcount == 1


async def put_late_tranche(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(LateTranche).values(**row).on_conflict_do_nothing(
        index_elements=["plan_id", "tranche"]))


async def put_payable(session: AsyncSession, row: dict, *, supersedes: int | None) -> bool:
    """False (and nothing written) when the version it supersedes is not known here yet."""
    if supersedes is not None:
        result = await session.execute(update(FundPayableFact).where(FundPayableFact.payable_id == supersedes)
                                       .values(live=False))
        if result.rowcount != 1:
            return False
    await session.execute(insert(FundPayableFact).values(**row).on_conflict_do_nothing(
        index_elements=["payable_id"]))
    return True


async def invoices_due(session: AsyncSession, *, first: date, last: date, hospital_code: str | None) -> list:
    """(invoice, hospital, amount, due_on, overdue_on, paid by the due date, paid by ``last``)
    of the live invoices due in [first, last]."""
    paid_by = lambda day: func.coalesce(func.sum(case(  # noqa: E731
        ((PaymentFact.reversed.is_(False)) & (PaymentFact.paid_on <= day), PaymentFact.amount_fen), else_=0)), 0)
    query = (select(InvoiceFact.invoice_id, InvoiceFact.hospital_code, InvoiceFact.amount_fen, InvoiceFact.due_on,
                    InvoiceFact.overdue_on, paid_by(InvoiceFact.due_on))
             .outerjoin(PaymentFact, PaymentFact.invoice_id == InvoiceFact.invoice_id)
             .where(InvoiceFact.live.is_(True), InvoiceFact.due_on.between(first, last))
             .group_by(InvoiceFact.invoice_id))
    if hospital_code:
        query = query.where(InvoiceFact.hospital_code == hospital_code)
    return list(await session.execute(query))


async def late_tranches(session: AsyncSession, *, first: date, last: date, hospital_code: str | None) -> list:
    query = select(LateTranche).where(LateTranche.due_on.between(first, last))
    if hospital_code:
        query = query.where(LateTranche.hospital_code == hospital_code)
    return list(await session.scalars(query.order_by(LateTranche.hospital_code, LateTranche.plan_id)))


async def payables_of_month(session: AsyncSession, *, month: date, hospital_code: str | None) -> list:
    query = select(FundPayableFact).where(FundPayableFact.month == month, FundPayableFact.live.is_(True))
    if hospital_code:
        query = query.where(FundPayableFact.hospital_code == hospital_code)
    return list(await session.scalars(query.order_by(FundPayableFact.hospital_code, FundPayableFact.fund)))


async def overdue_by_month(session: AsyncSession, *, today: date) -> list:
    """(hospital, month found overdue, count, Σ amount) of live invoices found overdue by today."""
    month = func.date_trunc("month", InvoiceFact.overdue_on).cast(InvoiceFact.overdue_on.type)
    return list(await session.execute(
        select(InvoiceFact.hospital_code, month, func.count(), func.sum(InvoiceFact.amount_fen))
        .where(InvoiceFact.live.is_(True), InvoiceFact.overdue_on.is_not(None), InvoiceFact.overdue_on <= today)
        .group_by(InvoiceFact.hospital_code, month)))


async def all_late_tranches(session: AsyncSession, *, today: date) -> list[LateTranche]:
    return list(await session.scalars(select(LateTranche).where(LateTranche.late_on <= today)))


async def live_payables(session: AsyncSession) -> list[FundPayableFact]:
    return list(await session.scalars(select(FundPayableFact).where(FundPayableFact.live.is_(True))))
