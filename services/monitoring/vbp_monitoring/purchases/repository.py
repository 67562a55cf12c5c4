"""Writes of the purchase read models (MON-1)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.purchases.models import AcceptedLine, Agreement, AgreementItem, LineReturn


async def put_agreement(session: AsyncSession, row: dict, items: list[dict]) -> bool:
    """Keep this version unless a later one is kept already; its items replace the earlier ones."""
    statement = insert(Agreement).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["agreement_id"], set_={k: statement.excluded[k] for k in row if k != "agreement_id"},
        where=Agreement.version_no < statement.excluded.version_no).returning(Agreement.agreement_id)
    if (await session.execute(statement)).first() is None:
        return False
    await session.execute(delete(AgreementItem).where(AgreementItem.agreement_id == row["agreement_id"]))
    if items:
        await session.execute(insert(AgreementItem).values(items))
    return True


async def insert_accepted(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(AcceptedLine).values(rows).on_conflict_do_nothing(
            index_elements=[AcceptedLine.delivery_id, AcceptedLine.line_no]))


async def add_return(session: AsyncSession, *, delivery_id: int, line_no: int, quantity: int,
                     returned_on: date) -> bool:
    """False when the line is unknown here (the consumer parks the event)."""
    known = await session.scalar(select(AcceptedLine.delivery_id).where(
        AcceptedLine.delivery_id == delivery_id, AcceptedLine.line_no == line_no))
    if known is None:
        return False
    session.add(LineReturn(delivery_id=delivery_id, line_no=line_no, quantity=quantity, returned_on=returned_on))
    return True
