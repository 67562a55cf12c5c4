"""Queries of CON-8 default distributors and standing records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_contracts.agreements.models import Agreement
from vbp_contracts.default_distributors.models import DefaultDistributor


async def put(session: AsyncSession, row: dict) -> None:
    statement = insert(DefaultDistributor).values(**row)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["batch_code", "manufacturer_code", "region_code"],
        set_={k: statement.excluded[k] for k in ("distributor_code", "declared_by", "declared_at")}))


async def named(session: AsyncSession, *, batch_code: str | None, manufacturer_code: str | None
                ) -> list[DefaultDistributor]:
    query = select(DefaultDistributor).order_by(DefaultDistributor.batch_code, DefaultDistributor.manufacturer_code,
                                                DefaultDistributor.region_code)
    if batch_code is not None:
        query = query.where(DefaultDistributor.batch_code == batch_code)
    if manufacturer_code is not None:
        query = query.where(DefaultDistributor.manufacturer_code == manufacturer_code)
    return list(await session.scalars(query))


async def for_regions(session: AsyncSession, *, batch_code: str, manufacturer_code: str,
                      regions: list[str]) -> dict[str, DefaultDistributor]:
    """region → the default distributor named for it, among ``regions``."""
    return {d.region_code: d for d in await session.scalars(select(DefaultDistributor).where(
        DefaultDistributor.batch_code == batch_code, DefaultDistributor.manufacturer_code == manufacturer_code,
        DefaultDistributor.region_code.in_(regions)))}


async def standing(session: AsyncSession, *, batch_code: str, year: int, hospital_code: str,
                   manufacturer_code: str) -> Agreement | None:
    return await session.scalar(select(Agreement).where(
        Agreement.batch_code == batch_code, Agreement.agreement_year == year, Agreement.hospital_code == hospital_code,
        Agreement.manufacturer_code == manufacturer_code, Agreement.status == "standing"))
