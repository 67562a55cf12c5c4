"""Queries of the CAT-1/CAT-2 batch feature (batches and their groups)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404, lock_for_transaction

from vbp_catalog.batches.models import Batch, BatchGroup


async def batch(session: AsyncSession, *, code: str) -> Batch | None:
    return await session.get(Batch, code)


async def lock_code(session: AsyncSession, *, code: str) -> None:
    """One create of a batch code at a time (CAT-1, issue 21): the second create of a code
    sent twice at once finds the first and is told the code is taken, instead of failing on
    the primary key."""
    await lock_for_transaction(session, "vbp-batches", [code])


async def batch_or_404(session: AsyncSession, *, code: str, for_update: bool = False) -> Batch:
    return await get_or_404(session, Batch, code, detail=f"no batch {code!r}", with_for_update=for_update)


async def page(session: AsyncSession, *, after: str | None, limit: int, kind: str | None) -> list[Batch]:
    query = select(Batch).order_by(Batch.code).limit(limit)
    if after is not None:
        query = query.where(Batch.code > after)
    if kind is not None:
        query = query.where(Batch.kind == kind)
    return list(await session.scalars(query))


async def groups(session: AsyncSession, *, batch_code: str) -> list[BatchGroup]:
    return list(await session.scalars(
        select(BatchGroup).where(BatchGroup.batch_code == batch_code).order_by(BatchGroup.code)))


async def group_codes(session: AsyncSession, *, batch_code: str) -> set[str]:
    return set(await session.scalars(select(BatchGroup.code).where(BatchGroup.batch_code == batch_code)))


async def add_group(session: AsyncSession, *, batch_code: str, code: str, name: str) -> None:
    """A group named by a listing row; a concurrent push may have added it first (CAT-2)."""
    await session.execute(insert(BatchGroup).values(batch_code=batch_code, code=code, name=name)
                          .on_conflict_do_nothing())
