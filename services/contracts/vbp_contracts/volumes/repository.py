"""Queries of the agreed-volumes feature (CON-1)."""

from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import lock_for_transaction

from vbp_contracts.volumes.models import AgreedVolume

# 4 bind parameters a key; PostgreSQL's protocol allows at most 32,767 in one statement
_KEYS_PER_QUERY = 2_000


async def lock_batches(session: AsyncSession, *, batch_codes: set[str]) -> None:
    """One upload of a batch's agreed volumes at a time (CON-1, issue 21), taken before
    :func:`quantities_for_update`: it then sees every volume an earlier upload set, so a
    volume is counted created and announced by the one upload that set it, and two uploads
    of the same rows in different orders cannot deadlock on them."""
    await lock_for_transaction(session, "vbp-agreed-volumes", batch_codes)


async def quantities_for_update(session: AsyncSession, *, keys: list[tuple]) -> dict[tuple, int]:
    """The current quantity of each (batch, year, hospital, product) key that has one, locked."""
    existing: dict[tuple, int] = {}
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        existing.update({
            (v.batch_code, v.agreement_year, v.hospital_code, v.product_id): v.quantity
            for v in await session.scalars(
                select(AgreedVolume).where(
                    tuple_(AgreedVolume.batch_code, AgreedVolume.agreement_year, AgreedVolume.hospital_code,
                           AgreedVolume.product_id).in_(keys[start:start + _KEYS_PER_QUERY])).with_for_update())
        })
    return existing


async def upsert_volumes(session: AsyncSession, *, rows: list[dict]) -> None:
    statement = insert(AgreedVolume)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["batch_code", "agreement_year", "hospital_code", "product_id"],
            set_={"quantity": statement.excluded.quantity, "set_by": statement.excluded.set_by,
                  "updated_at": func.now()}),
        rows,
    )


async def volumes_page(session: AsyncSession, *, batch_code: str | None, agreement_year: int | None,
                       hospital_code: str | None, after: tuple | None, limit: int) -> list[AgreedVolume]:
    query = select(AgreedVolume).order_by(
        AgreedVolume.batch_code, AgreedVolume.agreement_year, AgreedVolume.hospital_code, AgreedVolume.product_id
    ).limit(limit)
    if batch_code:
        query = query.where(AgreedVolume.batch_code == batch_code)
    if agreement_year:
        query = query.where(AgreedVolume.agreement_year == agreement_year)
    if hospital_code:
        query = query.where(AgreedVolume.hospital_code == hospital_code)
    if after:
        query = query.where(tuple_(AgreedVolume.batch_code, AgreedVolume.agreement_year, AgreedVolume.hospital_code,
                                   AgreedVolume.product_id) > tuple_(*after))
    return list(await session.scalars(query))


async def volumes_of_year(session: AsyncSession, *, batch_code: str, year: int) -> list[AgreedVolume]:
    return list(await session.scalars(
        select(AgreedVolume).where(AgreedVolume.batch_code == batch_code, AgreedVolume.agreement_year == year)))
