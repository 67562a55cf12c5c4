"""Queries of CAT-14 lot holds in monitoring."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.projections.accepted_lines import AcceptedLine

from vbp_monitoring.lot_holds.models import DeliveredLot


async def put_lots(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(DeliveredLot).values(rows).on_conflict_do_nothing(
            index_elements=["delivery_id", "line_no"]))


async def accepted_of_lot(session: AsyncSession, *, product_id: int, lot: str) -> list[AcceptedLine]:
    """Every accepted line of the product delivered with this lot, by hospital and line."""
    return list(await session.scalars(
        select(AcceptedLine).join(DeliveredLot, (DeliveredLot.delivery_id == AcceptedLine.delivery_id)
                                  & (DeliveredLot.line_no == AcceptedLine.line_no))
        .where(DeliveredLot.product_id == product_id, DeliveredLot.lot == lot)
        .order_by(AcceptedLine.hospital_code, AcceptedLine.delivery_id, AcceptedLine.line_no)))
