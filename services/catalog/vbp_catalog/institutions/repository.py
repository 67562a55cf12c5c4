from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.repository import get_or_404

from vbp_catalog.institutions.models import Institution


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
