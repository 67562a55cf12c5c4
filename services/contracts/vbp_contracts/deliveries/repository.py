"""Queries of the deliveries feature (CON-5)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.orders.models import Order, OrderLine


async def order_of(session: AsyncSession, order_id: int) -> Order | None:
    return await session.get(Order, order_id)


async def supplied_line(session: AsyncSession, order_id: int, line_no: int) -> tuple[OrderLine, Agreement]:
    """The order line a delivery line fills and the agreement it was bought under."""
    order_line = await session.get(OrderLine, (order_id, line_no))
    agreement = await session.get(Agreement, order_line.agreement_id)
    return order_line, agreement
