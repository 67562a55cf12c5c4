"""Queries of the deliveries feature (CON-5)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404
from vbpkit.web.parties import not_yours

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.deliveries.models import Delivery, DeliveryLine
from vbp_contracts.orders.models import Order, OrderLine


async def order_of(session: AsyncSession, order_id: int) -> Order | None:
    return await session.get(Order, order_id)


async def supplied_line(session: AsyncSession, order_id: int, line_no: int) -> tuple[OrderLine, Agreement]:
    """The order line a delivery line fills and the agreement it was bought under."""
    order_line = await session.get(OrderLine, (order_id, line_no))
    agreement = await session.get(Agreement, order_line.agreement_id)
    return order_line, agreement


async def lines_of_delivery(session: AsyncSession, *, delivery_id: int) -> list[DeliveryLine]:
    return list(await session.scalars(
        select(DeliveryLine).where(DeliveryLine.delivery_id == delivery_id).order_by(DeliveryLine.line_no)))


async def delivery_line_for_update(session: AsyncSession, *, delivery_id: int, line_no: int) -> DeliveryLine | None:
    return await session.get(DeliveryLine, (delivery_id, line_no), with_for_update=True)


async def delivery_or_404(session: AsyncSession, *, delivery_id: int, for_update: bool = False) -> Delivery:
    """GW-5: worded so that a foreign tenant learns nothing of another's delivery."""
    return await get_or_404(session, Delivery, delivery_id, detail=not_yours(f"delivery {delivery_id}"), for_update=for_update)
