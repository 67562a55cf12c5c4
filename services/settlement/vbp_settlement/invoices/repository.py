"""Queries of the invoices feature (SET-1)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.repository import get_or_404

from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice, InvoiceLine
from vbp_settlement.parties import not_yours


async def invoiced_quantities(session: AsyncSession, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """SET-1: what live invoices (submitted or accepted) already bill of each (delivery, line)."""
    keys = list(set(keys))
    if not keys:
        return {}
    rows = await session.execute(
        select(InvoiceLine.delivery_id, InvoiceLine.delivery_line_no, func.sum(InvoiceLine.quantity))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.status.in_(LIVE_STATUSES),
               tuple_(InvoiceLine.delivery_id, InvoiceLine.delivery_line_no).in_(keys))
        .group_by(InvoiceLine.delivery_id, InvoiceLine.delivery_line_no))
    return {(d, l): int(q) for d, l, q in rows}


async def by_number(session: AsyncSession, *, company_code: str, number: str) -> Invoice | None:
    return await session.scalar(select(Invoice).where(Invoice.company_code == company_code, Invoice.number == number))


async def lines_of(session: AsyncSession, invoice_id: int) -> list[InvoiceLine]:
    return list(await session.scalars(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.position)))


async def listing(session: AsyncSession, *, hospital_code: str | None, company_code: str | None,
                  status: str | None, before_id: int | None, limit: int) -> list[Invoice]:
    """Newest first; ``before_id`` continues a page (the cursor is the last id shown)."""
    query = select(Invoice).order_by(Invoice.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Invoice.id < before_id)
    if hospital_code is not None:
        query = query.where(Invoice.hospital_code == hospital_code)
    if company_code is not None:
        query = query.where(Invoice.company_code == company_code)
    if status is not None:
        query = query.where(Invoice.status == status)
    return list(await session.scalars(query))


async def invoice_or_404(session: AsyncSession, *, invoice_id: int, for_update: bool = False) -> Invoice:
    """GW-5: worded so that a foreign tenant learns nothing of another's invoice."""
    return await get_or_404(session, Invoice, invoice_id, detail=not_yours(f"invoice {invoice_id}"),
                            for_update=for_update)
