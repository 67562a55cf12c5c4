from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404, lock_for_transaction

from vbp_catalog.institutions.models import Institution


async def lock_registry(session: AsyncSession) -> None:
    """One bulk upsert of the institution registry at a time (CAT-9, issue 21), taken before
    :func:`by_codes`: it then sees every institution an earlier upsert created, so a row is
    counted created and announced by the one call that created it, and two uploads of the
    same rows in different orders cannot deadlock on them."""
    await lock_for_transaction(session, "vbp-institutions")


async def by_codes(session: AsyncSession, *, codes: Iterable[str]) -> dict[str, Institution]:
    rows = await session.scalars(select(Institution).where(Institution.code.in_(list(codes))).with_for_update())
    return {row.code: row for row in rows}


async def upsert(session: AsyncSession, *, rows: Sequence[dict]) -> None:
    if not rows:
        return
    statement = insert(Institution)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Institution.code],
            set_={
                "name": statement.excluded.name,
                "level": statement.excluded.level,
                "kind": statement.excluded.kind,
                "region_code": statement.excluded.region_code,
                "updated_at": func.now(),
            },
        ),
        list(rows),
    )


async def institution_or_404(session: AsyncSession, *, code: str) -> Institution:
    return await get_or_404(session, Institution, code, detail=f"no institution with code {code!r}")


async def page(
    session: AsyncSession, *, after: str | None, limit: int, region_code: str | None, level: int | None
) -> list[Institution]:
    query = select(Institution).order_by(Institution.code).limit(limit)
    if after is not None:
        query = query.where(Institution.code > after)
    if region_code is not None:
        query = query.where(Institution.region_code == region_code)
    if level is not None:
        query = query.where(Institution.level == level)
    return list(await session.scalars(query))
