"""Queries of CON-10 account openings."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404

from vbp_contracts.accounts.models import AccountOpening
from vbp_contracts.agreements.models import Agreement


async def designated_batches(session: AsyncSession, *, distributor_code: str, hospital_code: str) -> list[str]:
    """The batches of the hospital's agreements that designate this distributor."""
    return list(await session.scalars(select(Agreement.batch_code).distinct().where(
        Agreement.distributor_code == distributor_code, Agreement.hospital_code == hospital_code)
        .order_by(Agreement.batch_code)))


async def open_request(session: AsyncSession, *, distributor_code: str, hospital_code: str) -> AccountOpening | None:
    return await session.scalar(select(AccountOpening).where(
        AccountOpening.distributor_code == distributor_code, AccountOpening.hospital_code == hospital_code,
        AccountOpening.opened_on.is_(None)))


async def request_or_404(session: AsyncSession, request_id: int) -> AccountOpening:
    return await get_or_404(session, AccountOpening, request_id, detail=f"no account opening {request_id} of yours",
                            with_for_update=True)


async def page(session: AsyncSession, *, hospital_code: str | None, company_code: str | None, after: int | None,
               limit: int) -> list[AccountOpening]:
    query = select(AccountOpening).order_by(AccountOpening.id).limit(limit)
    if hospital_code is not None:
        query = query.where(AccountOpening.hospital_code == hospital_code)
    if company_code is not None:
        query = query.where(AccountOpening.distributor_code == company_code)
    if after is not None:
        query = query.where(AccountOpening.id > after)
    return list(await session.scalars(query))
