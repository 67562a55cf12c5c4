"""Queries of the accepted-delivery read model (SET-1)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.deliveries.models import AcceptedLine, LineReturn

# Two bind parameters a key; PostgreSQL's protocol allows 32,767 a statement.
KEYS_PER_QUERY = 5_000


# Built once and run with many parameter sets (insertmanyvalues): a multi-row VALUES would be
# compiled afresh for every fetch, which made the consumer CPU-bound (bench/RESULTS.md).
_INSERT_ACCEPTED = insert(AcceptedLine.__table__).on_conflict_do_nothing(index_elements=["delivery_id", "line_no"])


async def insert_accepted(session: AsyncSession, rows: list[dict]) -> None:
    """A delivery line is accepted once (CON-5); a republished acceptance changes nothing."""
    if rows:
        await session.execute(_INSERT_ACCEPTED, rows)


async def add_returned(session: AsyncSession, *, delivery_id: int, line_no: int, quantity: int,
                       returned_on: date) -> bool:
    """False when the line is unknown: the return cannot be applied (the consumer parks it)."""
    result = await session.execute(
        update(AcceptedLine)
        .where(AcceptedLine.delivery_id == delivery_id, AcceptedLine.line_no == line_no)
        .values(returned_quantity=AcceptedLine.returned_quantity + quantity))
    if result.rowcount != 1:
        return False
    session.add(LineReturn(delivery_id=delivery_id, line_no=line_no, quantity=quantity, returned_on=returned_on))
    return True


async def accepted_amount_fen(session: AsyncSession, *, hospital_code: str, batch_code: str, first: date,
                              last: date) -> int:
    """SET-4 (seed 004): Σ quantity × price of the hospital's lines of the batch accepted in
    [first, last], less what of them was returned by ``last``."""
    in_window = (AcceptedLine.hospital_code == hospital_code, AcceptedLine.batch_code == batch_code,
                 AcceptedLine.accepted_on.between(first, last))
    accepted = await session.scalar(
        select(func.coalesce(func.sum(AcceptedLine.accepted_quantity * AcceptedLine.unit_price_fen), 0))
        .where(*in_window))
    returned = await session.scalar(
        select(func.coalesce(func.sum(LineReturn.quantity * AcceptedLine.unit_price_fen), 0))
        .join(AcceptedLine, (AcceptedLine.delivery_id == LineReturn.delivery_id)
              & (AcceptedLine.line_no == LineReturn.line_no))
        .where(*in_window, LineReturn.returned_on <= last))
    return int(accepted) - int(returned)


async def lines_of_delivery(session: AsyncSession, delivery_id: int) -> list[AcceptedLine]:
    return list(await session.scalars(
        select(AcceptedLine).where(AcceptedLine.delivery_id == delivery_id).order_by(AcceptedLine.line_no)))


async def lines_for_update(session: AsyncSession, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], AcceptedLine]:
    """The named lines, locked in key order so that two invoices of the same lines serialise
    (SET-1: the second sees what the first billed) without deadlocking. One query per
    thousands of lines, so a bulk upload (10,000 invoices) reads them in a few round trips."""
    ordered = sorted(set(keys))
    result = {}
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        rows = await session.scalars(
            select(AcceptedLine)
            .where(tuple_(AcceptedLine.delivery_id, AcceptedLine.line_no).in_(ordered[start:start + KEYS_PER_QUERY]))
            .order_by(AcceptedLine.delivery_id, AcceptedLine.line_no)
            .with_for_update().execution_options(populate_existing=True))
        result.update({(row.delivery_id, row.line_no): row for row in rows})
    return result
