"""Writing and reading the accepted-lines projection."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.projections.accepted_lines.models import AcceptedLine, LineReturn

Key = tuple[int, int]  # (delivery_id, line_no)

# Two bind parameters a key; PostgreSQL's protocol allows 32,767 a statement.
KEYS_PER_QUERY = 5_000

# Built once and run with many parameter sets (insertmanyvalues): a multi-row VALUES would be
# compiled afresh for every fetch, which made the consumers CPU-bound (bench/RESULTS.md).
_INSERT = insert(AcceptedLine.__table__).on_conflict_do_nothing(index_elements=["delivery_id", "line_no"])


async def insert_lines(session: AsyncSession, rows: list[dict]) -> None:
    """A delivery line is accepted once (CON-5): a line already kept stays as it is."""
    if rows:
        await session.execute(_INSERT, rows)


async def add_return(session: AsyncSession, *, delivery_id: int, line_no: int, quantity: int,
                     returned_on: date) -> AcceptedLine | None:
    """The returned line, or None when it is not known here (yet) and nothing was written."""
    line = await session.get(AcceptedLine, (delivery_id, line_no))
    if line is not None:
        session.add(LineReturn(delivery_id=delivery_id, line_no=line_no, quantity=quantity, returned_on=returned_on))
        await session.flush()
    return line


async def lines(session: AsyncSession, keys: Iterable[Key], *, for_update: bool = False) -> dict[Key, AcceptedLine]:
    """The lines of ``keys`` that are known here; ``for_update`` locks them in key order."""
    ordered = sorted(set(keys))
    found: dict[Key, AcceptedLine] = {}
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        query = (select(AcceptedLine)
                 .where(tuple_(AcceptedLine.delivery_id, AcceptedLine.line_no).in_(ordered[start:start + KEYS_PER_QUERY]))
                 .order_by(AcceptedLine.delivery_id, AcceptedLine.line_no))
        if for_update:
            query = query.with_for_update()
        found |= {(line.delivery_id, line.line_no): line for line in await session.scalars(query)}
    return found


async def lines_of_delivery(session: AsyncSession, delivery_id: int) -> list[AcceptedLine]:
    return list(await session.scalars(
        select(AcceptedLine).where(AcceptedLine.delivery_id == delivery_id).order_by(AcceptedLine.line_no)))


async def returned_quantities(session: AsyncSession, keys: Iterable[Key]) -> dict[Key, int]:
    """What was returned of each line so far (lines with no return are left out)."""
    ordered = sorted(set(keys))
    returned: dict[Key, int] = {}
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        rows = await session.execute(
            select(LineReturn.delivery_id, LineReturn.line_no, func.sum(LineReturn.quantity))
            .where(tuple_(LineReturn.delivery_id, LineReturn.line_no).in_(ordered[start:start + KEYS_PER_QUERY]))
            .group_by(LineReturn.delivery_id, LineReturn.line_no))
        returned |= {(delivery_id, line_no): int(quantity) for delivery_id, line_no, quantity in rows}
    return returned
