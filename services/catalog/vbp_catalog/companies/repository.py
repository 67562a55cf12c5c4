"""Queries of the CAT-9 company registry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404, lock_for_transaction

from vbp_catalog.companies.models import Company


async def lock_registry(session: AsyncSession) -> None:
    """One bulk upsert of the company registry at a time (CAT-9, issue 21), taken before
    :func:`by_credit_codes`: it then sees every company an earlier upsert created, so a row is
    counted created and announced by the one call that created it, and two uploads of the
    same rows in different orders cannot deadlock on them."""
    await lock_for_transaction(session, "vbp-companies")


async def by_credit_codes(session: AsyncSession, *, credit_codes: Iterable[str]) -> dict[str, Company]:
    """The registered companies among ``credit_codes``, locked until the upsert is written."""
    rows = await session.scalars(select(Company).where(Company.credit_code.in_(list(credit_codes))).with_for_update())
    return {row.credit_code: row for row in rows}


async def upsert(session: AsyncSession, *, rows: Sequence[dict]) -> None:
    if not rows:
        return
    statement = insert(Company)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Company.credit_code],
            set_={"name": statement.excluded.name, "roles": statement.excluded.roles, "updated_at": func.now()},
        ),
        list(rows),
    )


async def company_or_404(session: AsyncSession, *, credit_code: str) -> Company:
    return await get_or_404(session, Company, credit_code.upper(),
                            detail=f"no company with credit code {credit_code!r}")


async def page(session: AsyncSession, *, after: str | None, limit: int, role: str | None) -> list[Company]:
    query = select(Company).order_by(Company.credit_code).limit(limit)
    if after is not None:
        query = query.where(Company.credit_code > after)
    if role is not None:
        query = query.where(Company.roles.any(role))
    return list(await session.scalars(query))
