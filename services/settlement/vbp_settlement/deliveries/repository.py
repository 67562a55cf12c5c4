"""Queries of settlement's billing view over the accepted lines (SET-1, SET-4)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.projections.accepted_lines import AcceptedLine, LineReturn
from vbpkit.projections.accepted_lines.repository import KEYS_PER_QUERY, Key

from vbp_settlement.deliveries.models import BillingLine

# Built once and run with many parameter sets (insertmanyvalues): a multi-row VALUES would be
# compiled afresh for every fetch, which made the consumer CPU-bound (bench/RESULTS.md).
_INSERT_BILLING = insert(BillingLine.__table__).on_conflict_do_nothing(index_elements=["delivery_id", "line_no"])


async def insert_billing(session: AsyncSession, rows: list[dict]) -> None:
    """A line's biller is decided once, when it is accepted (CON-5)."""
    if rows:
        await session.execute(_INSERT_BILLING, rows)


async def accepted_amount_fen(session: AsyncSession, *, hospital_code: str, batch_code: str, first: date,
                              last: date) -> int:
    """SET-4 (seed 004): Σ quantity × price of the hospital's lines of the batch accepted in
    [first, last], less what of them was returned by ``last``."""
    in_window = (AcceptedLine.hospital_code == hospital_code, AcceptedLine.batch_code == batch_code,
                 AcceptedLine.accepted_on.between(first, last))
    accepted = await session.scalar(
        select(func.coalesce(func.sum(AcceptedLine.quantity * AcceptedLine.unit_price_fen), 0)).where(*in_window))
    returned = await session.scalar(
        select(func.coalesce(func.sum(LineReturn.quantity * AcceptedLine.unit_price_fen), 0))
        .join(AcceptedLine, (AcceptedLine.delivery_id == LineReturn.delivery_id)
              & (AcceptedLine.line_no == LineReturn.line_no))
        .where(*in_window, LineReturn.returned_on <= last))
    return int(accepted) - int(returned)


async def billed(session: AsyncSession, keys: Iterable[Key], *, for_update: bool = False
                 ) -> dict[Key, tuple[AcceptedLine, str]]:
    """Each named line known here with its biller. ``for_update`` locks the lines in key order,
    so that two invoices of the same lines serialise (SET-1: the second sees what the first
    billed) without deadlocking; one query per thousands of lines, so a bulk upload (10,000
    invoices) reads them in a few round trips."""
    ordered = sorted(set(keys))
    found: dict[Key, tuple[AcceptedLine, str]] = {}
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        query = (select(AcceptedLine, BillingLine.biller_code)
                 .join(BillingLine, (BillingLine.delivery_id == AcceptedLine.delivery_id)
                       & (BillingLine.line_no == AcceptedLine.line_no))
                 .where(tuple_(AcceptedLine.delivery_id, AcceptedLine.line_no).in_(ordered[start:start + KEYS_PER_QUERY]))
                 .order_by(AcceptedLine.delivery_id, AcceptedLine.line_no))
        if for_update:
            query = query.with_for_update(of=AcceptedLine).execution_options(populate_existing=True)
        found |= {(line.delivery_id, line.line_no): (line, biller) for line, biller in await session.execute(query)}
    return found


async def keys_of_delivery(session: AsyncSession, delivery_id: int) -> list[Key]:
    return [(delivery_id, line_no) for line_no in await session.scalars(
        select(BillingLine.line_no).where(BillingLine.delivery_id == delivery_id).order_by(BillingLine.line_no))]
