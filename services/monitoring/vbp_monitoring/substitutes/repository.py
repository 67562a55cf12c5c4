"""Queries of MON-5 substitutes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.projections.catalog_view.models import ProductView

from vbpkit.projections.accepted_lines import AcceptedLine
from vbp_monitoring.substitutes.models import NonWinningPurchase


_KEY = ("hospital_code", "batch_code", "group_code", "product", "month")


async def put(session: AsyncSession, rows: list[dict]) -> None:
    """A month pushed again replaces what was pushed for it (the exchange's figure stands).

    Written in key order (issue 21): two pushes of the same rows at once then take the rows'
    locks in the same order, the second waiting for the first, where in the pushes' own orders
    each held a row the other wanted (a deadlock, a 500)."""
    if rows:
        statement = insert(NonWinningPurchase)
        await session.execute(statement.on_conflict_do_update(
            index_elements=list(_KEY),
            set_={"quantity": statement.excluded.quantity, "amount_fen": statement.excluded.amount_fen,
                  "pushed_at": func.now()}), sorted(rows, key=lambda row: tuple(row[k] for k in _KEY)))


async def known_groups(session: AsyncSession) -> set[tuple[str, str]]:
    rows = await session.execute(select(ProductView.batch_code, ProductView.group_code).distinct()
                                 .where(ProductView.group_code.is_not(None)))
    return {(b, g) for b, g in rows}


async def non_winning(session: AsyncSession, *, until: date) -> dict[tuple, int]:
    """(hospital, batch, group, month) → non-winning quantity."""
    key = (NonWinningPurchase.hospital_code, NonWinningPurchase.batch_code, NonWinningPurchase.group_code,
           NonWinningPurchase.month)
    rows = await session.execute(select(*key, func.sum(NonWinningPurchase.quantity))
                                 .where(NonWinningPurchase.month <= until).group_by(*key))
    return {(h, b, g, m): int(q) for h, b, g, m, q in rows}


async def winning(session: AsyncSession, *, until: date) -> dict[tuple, int]:
    """(hospital, batch, group, month) → accepted quantity of the group's winning products."""
    month = func.date_trunc("month", AcceptedLine.accepted_on).cast(AcceptedLine.accepted_on.type)
    key = (AcceptedLine.hospital_code, AcceptedLine.batch_code, ProductView.group_code, month)
    rows = await session.execute(
        select(*key, func.sum(AcceptedLine.quantity))
        .join(ProductView, ProductView.product_id == AcceptedLine.product_id)
        .where(AcceptedLine.accepted_on <= until, ProductView.group_code.is_not(None)).group_by(*key))
    return {(h, b, g, m): int(q) for h, b, g, m, q in rows}
