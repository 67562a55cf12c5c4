"""Writes and reads of supply lines and the monthly supply of each item (MON-6, MON-8)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.credit.models import Breach
from vbp_monitoring.supply.models import MonthlySupply, SupplyLine


async def put_line(session: AsyncSession, row: dict) -> bool:
    """Store an answered line; False when it was answered before."""
    inserted = await session.scalar(insert(SupplyLine).values(**row).on_conflict_do_nothing(
        index_elements=["order_id", "line_no"]).returning(SupplyLine.order_id))
    return inserted is not None


async def deliver(session: AsyncSession, *, order_id: int, line_no: int, quantity: int, on: date) -> SupplyLine | None:
    """Add a delivery to its line; the line completes the day its deliveries reach the order."""
    total = SupplyLine.delivered_quantity + quantity
    return await session.scalar(
        update(SupplyLine).where(SupplyLine.order_id == order_id, SupplyLine.line_no == line_no)
        .values(delivered_quantity=total,
                first_delivered_on=func.least(func.coalesce(SupplyLine.first_delivered_on, on), on),
                completed_on=case((SupplyLine.completed_on.is_not(None), SupplyLine.completed_on),
                                  (total >= SupplyLine.quantity, on), else_=None))
        .returning(SupplyLine))


async def add_monthly(session: AsyncSession, key: dict, **quantities: int) -> None:
    statement = insert(MonthlySupply).values(**key, **quantities)
    await session.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={name: getattr(MonthlySupply, name) + statement.excluded[name]
                                        for name in quantities}))


async def lines(session: AsyncSession, *, first: date, last: date, company_code: str | None,
                batch_code: str | None, hospital_code: str | None) -> list[SupplyLine]:
    """The answered lines ordered in [first, last]."""
    query = select(SupplyLine).where(SupplyLine.ordered_on.between(first, last))
    for column, value in (("manufacturer_code", company_code), ("batch_code", batch_code),
                          ("hospital_code", hospital_code)):
        if value:
            query = query.where(getattr(SupplyLine, column) == value)
    return list(await session.scalars(query.order_by(SupplyLine.order_id, SupplyLine.line_no)))


async def unjudged(session: AsyncSession, *, today: date) -> list[SupplyLine]:
    """Lines not yet judged a breach that may be one: declined lines answered by today, and
    confirmed lines ordered before today not delivered in full on their order day."""
    judged = select(Breach.id).where(Breach.order_id == SupplyLine.order_id, Breach.line_no == SupplyLine.line_no)
    return list(await session.scalars(select(SupplyLine).where(~judged.exists(), (
        (SupplyLine.status == "declined") & (SupplyLine.answered_on <= today)) | (
        (SupplyLine.status == "confirmed") & (SupplyLine.ordered_on < today)
        & (SupplyLine.completed_on.is_(None) | (SupplyLine.completed_on > SupplyLine.ordered_on))))
        .order_by(SupplyLine.order_id, SupplyLine.line_no)))
