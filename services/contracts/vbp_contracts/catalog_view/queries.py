"""Reading the catalog view, with the facts contracts needs about a batch's cycle."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.problems import Problem

from vbp_contracts.catalog_view.models import BatchView, ProductView


def _anniversary(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28) + timedelta(days=1)


def agreement_years(batch: BatchView) -> int:
    """CON-2 "agreements are signed every year of the cycle": how many years it has."""
    years = 1
    while _anniversary(batch.starts_on, years) <= batch.ends_on:
        years += 1
    return years


def year_bounds(batch: BatchView, year: int) -> tuple[date, date]:
    """First and last day of agreement year ``year`` (1 = from the execution start)."""
    first = _anniversary(batch.starts_on, year - 1)
    last = min(_anniversary(batch.starts_on, year) - timedelta(days=1), batch.ends_on)
    return first, last


def year_of(batch: BatchView, day: date) -> int | None:
    if not batch.starts_on <= day <= batch.ends_on:
        return None
    for year in range(1, agreement_years(batch) + 1):
        first, last = year_bounds(batch, year)
        if first <= day <= last:
            return year
    return None


async def batch_or_422(session: AsyncSession, code: str, field: str = "body.batch_code") -> BatchView:
    batch = await session.get(BatchView, code)
    if batch is None:
        raise Problem(422, detail=f"unknown batch {code!r}", errors=[{"field": field, "reason": "unknown batch"}])
    return batch


async def product(session: AsyncSession, product_id: int) -> ProductView | None:
    return await session.get(ProductView, product_id)
