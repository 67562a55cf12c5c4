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


async def names(session: AsyncSession, *, institutions: Iterable[str] = (),
                companies: Iterable[str] = ()) -> dict[str, str]:
    """The registered name of each institution and company code given, by code (issue 23:
    names beside codes in every read a person looks at); a code not registered has none."""
    found: dict[str, str] = {}
    institutions, companies = set(institutions) - {"", None}, set(companies) - {"", None}
    if institutions:
        found |= dict((await session.execute(select(InstitutionView.code, InstitutionView.name)
                                             .where(any_of(InstitutionView.code, institutions)))).all())
    if companies:
        found |= dict((await session.execute(select(CompanyView.credit_code, CompanyView.name)
                                             .where(any_of(CompanyView.credit_code, companies)))).all())
    return found


async def institution_regions(session: AsyncSession) -> dict[str, str | None]:
    """Every institution's region code, by institution code (roll-ups and region scopes)."""
    return {code: region for code, region in await session.execute(
        select(InstitutionView.code, InstitutionView.region_code))}
