"""Queries of MON-9 savings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import any_of

from vbpkit.projections.accepted_lines import AcceptedLine, LineReturn
from vbp_monitoring.savings.models import BaselinePrice


async def put_baselines(session: AsyncSession, rows: list[dict]) -> None:
    """Written in product order (issue 21): two pushes of the same products at once then take
    the rows' locks in the same order, the second waiting for the first, where in the pushes'
    own orders each held a row the other wanted (a deadlock, a 500)."""
    if rows:
        statement = insert(BaselinePrice)
        await session.execute(statement.on_conflict_do_update(
            index_elements=["product_id"], set_={"baseline_price_fen": statement.excluded.baseline_price_fen,
                                                 "set_by": statement.excluded.set_by, "set_at": func.now()}),
            sorted(rows, key=lambda row: row["product_id"]))


async def baselines(session: AsyncSession, product_ids) -> dict[int, int]:
    ids = set(product_ids)
    if not ids:
        return {}
    rows = await session.execute(select(BaselinePrice.product_id, BaselinePrice.baseline_price_fen)
                                 .where(any_of(BaselinePrice.product_id, ids)))
    return {p: int(f) for p, f in rows}


async def net_accepted(session: AsyncSession, *, batch_code: str, year: int, first: date, as_of: date,
                       hospital_code: str | None) -> list:
    """(hospital, company, product, unit price, accepted, returned) of the batch's year, to ``as_of``."""
    where = [AcceptedLine.batch_code == batch_code, AcceptedLine.agreement_year == year,
             AcceptedLine.accepted_on.between(first, as_of)]
    if hospital_code:
        where.append(AcceptedLine.hospital_code == hospital_code)
    returned = (select(func.coalesce(func.sum(LineReturn.quantity), 0))
                .where(LineReturn.delivery_id == AcceptedLine.delivery_id, LineReturn.line_no == AcceptedLine.line_no,
                       LineReturn.returned_on <= as_of).scalar_subquery())
    key = (AcceptedLine.hospital_code, AcceptedLine.manufacturer_code, AcceptedLine.product_id,
           AcceptedLine.unit_price_fen)
    return list(await session.execute(select(*key, func.sum(AcceptedLine.quantity), func.sum(returned))
                                      .where(*where).group_by(*key)))
