"""Writes of the agreements read model (MON-1)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.purchases.models import Agreement, AgreementItem, ProductStatusChange, TransferFact


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


async def put_status_change(session: AsyncSession, row: dict) -> None:
    """Keep a product's status from a day; a later event about the same day replaces it."""
    statement = insert(ProductStatusChange).values(**row)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["product_id", "effective_on"],
        set_={k: statement.excluded[k] for k in ("status", "reason", "as_of")},
        where=ProductStatusChange.as_of <= statement.excluded.as_of))



async def put_transfer(session: AsyncSession, row: dict) -> None:
    """Keep a volume transfer once (a transfer is never changed)."""
    await session.execute(insert(TransferFact).values(**row).on_conflict_do_nothing(index_elements=["transfer_id"]))
