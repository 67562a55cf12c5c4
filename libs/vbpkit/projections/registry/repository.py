"""Reading the registry projection."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.projections.registry.models import CompanyView, InstitutionView
from vbpkit.db.repository import any_of, get_or_404


async def institution(session: AsyncSession, code: str) -> InstitutionView | None:
    return await session.get(InstitutionView, code)


async def institution_or_404(session: AsyncSession, code: str) -> InstitutionView:
    return await get_or_404(session, InstitutionView, code, detail=f"institution {code!r} is not known here (yet)")


async def known_institutions(session: AsyncSession, codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` are registered institutions."""
    return set(await session.scalars(select(InstitutionView.code).where(any_of(InstitutionView.code, set(codes)))))


async def company(session: AsyncSession, credit_code: str) -> CompanyView | None:
    return await session.get(CompanyView, credit_code)


async def institution_regions(session: AsyncSession) -> dict[str, str | None]:
    """Every institution's region code, by institution code (roll-ups and region scopes)."""
    return {code: region for code, region in await session.execute(
        select(InstitutionView.code, InstitutionView.region_code))}
