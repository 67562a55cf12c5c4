"""Queries of the invoices feature (SET-1)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404
from vbpkit.projections.accepted_lines.repository import KEYS_PER_QUERY
from vbpkit.web.parties import not_yours

from vbp_settlement.invoices.models import LIVE_STATUSES, Invoice, InvoiceLine


async def invoiced_quantities(session: AsyncSession, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """SET-1: what live invoices (submitted or accepted) already bill of each (delivery, line)."""
    ordered = sorted(set(keys))
    found: dict[tuple[int, int], int] = {}
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        rows = await session.execute(
            select(InvoiceLine.delivery_id, InvoiceLine.delivery_line_no, func.sum(InvoiceLine.quantity))
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.status.in_(LIVE_STATUSES),
                   tuple_(InvoiceLine.delivery_id, InvoiceLine.delivery_line_no)
                   .in_(ordered[start:start + KEYS_PER_QUERY]))
            .group_by(InvoiceLine.delivery_id, InvoiceLine.delivery_line_no))
        found.update({(d, l): int(q) for d, l, q in rows})
    return found


async def numbers_used(session: AsyncSession, *, company_code: str, numbers: Iterable[str]) -> set[str]:
    """SET-1: which of ``numbers`` the company has already given an invoice (unique per company)."""
    wanted = sorted(set(numbers))
    used: set[str] = set()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        used.update(await session.scalars(select(Invoice.number).where(
            Invoice.company_code == company_code, Invoice.number.in_(wanted[start:start + KEYS_PER_QUERY]))))
    return used


# Built once, so a bulk upload compiles them once (the parameters travel apart).
_INSERT_INVOICE = insert(Invoice.__table__).returning(Invoice.__table__.c.id)
_INSERT_LINE = insert(InvoiceLine.__table__)


async def insert_invoice(session: AsyncSession, values: dict) -> int:
    return (await session.execute(_INSERT_INVOICE, values)).scalar_one()


async def insert_lines(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(_INSERT_LINE, rows)


INVOICES_PER_STATEMENT = 2_000  # × 9 columns: well inside PostgreSQL's 32,767 parameters


async def insert_invoices(session: AsyncSession, rows: list[dict]) -> dict[str, int]:
    """Insert many invoices of one company; number → id of those inserted (a number another
    request took meanwhile is left out: the unique key decides)."""
    ids: dict[str, int] = {}
    for start in range(0, len(rows), INVOICES_PER_STATEMENT):
        statement = pg_insert(Invoice.__table__).values(rows[start:start + INVOICES_PER_STATEMENT])
        inserted = await session.execute(statement.on_conflict_do_nothing(
            index_elements=["company_code", "number"]).returning(Invoice.__table__.c.number, Invoice.__table__.c.id))
        ids.update({number: invoice_id for number, invoice_id in inserted})
    return ids


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
