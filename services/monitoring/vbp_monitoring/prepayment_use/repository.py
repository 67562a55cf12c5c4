"""Writes and reads of MON-10 prepayment use."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.prepayment_use.models import DisbursementFact, InvoiceBatchAmount
from vbp_monitoring.timeliness.models import InvoiceFact, PaymentFact


async def put_disbursement(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(DisbursementFact).values(**row).on_conflict_do_nothing(
        index_elements=["disbursement_id"]))


async def put_invoice_batches(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(InvoiceBatchAmount).values(rows).on_conflict_do_nothing(
            index_elements=["invoice_id", "batch_code"]))


async def disbursed(session: AsyncSession, *, as_of: date) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(DisbursementFact.hospital_code, DisbursementFact.batch_code, func.sum(DisbursementFact.amount_fen))
        .where(DisbursementFact.on <= as_of)
        .group_by(DisbursementFact.hospital_code, DisbursementFact.batch_code))
    return {(h, b): int(a) for h, b, a in rows}


async def batch_invoices(session: AsyncSession, *, as_of: date) -> list:
    """(hospital, batch, invoice amount, the batch's part of it, due_on, paid by as_of) of live invoices."""
    paid = (select(func.coalesce(func.sum(PaymentFact.amount_fen), 0))
            .where(PaymentFact.invoice_id == InvoiceFact.invoice_id, PaymentFact.reversed.is_(False),
                   PaymentFact.paid_on <= as_of).scalar_subquery())
    return list(await session.execute(
        select(InvoiceFact.hospital_code, InvoiceBatchAmount.batch_code, InvoiceFact.amount_fen,
               InvoiceBatchAmount.amount_fen, InvoiceFact.due_on, paid)
        .join(InvoiceBatchAmount, InvoiceBatchAmount.invoice_id == InvoiceFact.invoice_id)
        .where(InvoiceFact.live.is_(True))))
