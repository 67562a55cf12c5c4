"""Writes and reads of MON-6 breaches and ratings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import any_of, lock_for_transaction

from vbp_monitoring.credit.models import Breach, BreachCost, CompanyRating


async def add_breaches(session: AsyncSession, rows: list[dict]) -> list[Breach]:
    """Insert breaches; a detected one is stored once per kind and order line."""
    if not rows:
        return []
    return list(await session.scalars(insert(Breach).values(rows).on_conflict_do_nothing(
        constraint="uq_breaches_line").returning(Breach)))


async def lock_ratings(session: AsyncSession, company_codes: set[str] | None) -> None:
    """One rating of a company at a time (MON-6, issue 21), of every company when None: taken
    before the breaches are counted, so a rating counts every breach an earlier rating did and
    a change is stored and announced once. Without it, two breaches recorded at once were each
    rated without the other, both announced a change from the same previous rating, and the
    rating committed last stood even when it was the less severe."""
    await lock_for_transaction(session, "vbp-ratings", company_codes)


async def breach(session: AsyncSession, breach_id: int, *, for_update: bool = False) -> Breach | None:
    return await session.get(Breach, breach_id, with_for_update=for_update)


async def counted(session: AsyncSession, *, company_codes: set[str] | None, after: date, until: date) -> list[Breach]:
    """The breaches not exempted that occurred in (after, until], of these companies (all if None)."""
    query = select(Breach).where(Breach.exempt.is_(False), Breach.occurred_on > after, Breach.occurred_on <= until)
    if company_codes is not None:
        query = query.where(Breach.company_code.in_(sorted(company_codes)))
    return list(await session.scalars(query.order_by(Breach.id)))


async def ratings(session: AsyncSession, company_codes: set[str] | None = None) -> dict[str, CompanyRating]:
    query = select(CompanyRating)
    if company_codes is not None:
        query = query.where(CompanyRating.company_code.in_(sorted(company_codes)))
    return {r.company_code: r for r in await session.scalars(query)}


async def rated_companies(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(CompanyRating.company_code).where(CompanyRating.rating.is_not(None))))


async def put_rating(session: AsyncSession, *, company_code: str, rating: str | None, since: date) -> None:
    statement = insert(CompanyRating).values(company_code=company_code, rating=rating, since=since)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["company_code"], set_={"rating": statement.excluded.rating, "since": statement.excluded.since}))


async def listing(session: AsyncSession, *, filters: dict, first: date | None, last: date | None,
                  after_id: int | None, limit: int) -> list[Breach]:
    query = select(Breach).order_by(Breach.id).limit(limit)
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(Breach, column) == value)
    if first:
        query = query.where(Breach.occurred_on >= first)
    if last:
        query = query.where(Breach.occurred_on <= last)
    if after_id:
        query = query.where(Breach.id > after_id)
    return list(await session.scalars(query))


async def line_breach(session: AsyncSession, *, kind: str, order_id: int, line_no: int) -> Breach:
    """The breach of ``kind`` an order line has (the one ``uq_breaches_line`` admits)."""
    return await session.scalar(select(Breach).where(Breach.kind == kind, Breach.order_id == order_id,
                                                     Breach.line_no == line_no))


async def costs_of(session: AsyncSession, breach_id: int) -> list[BreachCost]:
    return list(await session.scalars(select(BreachCost).where(BreachCost.breach_id == breach_id)
                                      .order_by(BreachCost.id)))


async def cost_totals(session: AsyncSession, *, company_codes: set[str], first: date, last: date) -> dict[str, int]:
    """company → Σ fen of the costs recorded against its breaches that occurred from ``first`` to ``last``."""
    if not company_codes:
        return {}
    rows = await session.execute(
        select(BreachCost.company_code, func.sum(BreachCost.amount_fen))
        .join(Breach, Breach.id == BreachCost.breach_id)
        .where(any_of(BreachCost.company_code, company_codes), Breach.occurred_on.between(first, last))
        .group_by(BreachCost.company_code))
    return {code: int(total) for code, total in rows}
