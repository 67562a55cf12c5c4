"""Reading the catalog view."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view.models import BatchView, ProductView


async def batch(session: AsyncSession, code: str) -> BatchView | None:
    return await session.get(BatchView, code)


async def batch_or_422(session: AsyncSession, code: str, field: str = "body.batch_code") -> BatchView:
    """A batch the request names; unknown here is the client's error, located at ``field``."""
    row = await session.get(BatchView, code)
    if row is None:
        raise Problem(422, detail=f"unknown batch {code!r}", errors=[{"field": field, "reason": "unknown batch"}])
    return row


async def batches_by_code(session: AsyncSession, codes: Iterable[str]) -> dict[str, BatchView]:
    return {b.code: b for b in await session.scalars(select(BatchView).where(BatchView.code.in_(set(codes))))}


async def all_batches(session: AsyncSession) -> dict[str, BatchView]:
    return {b.code: b for b in await session.scalars(select(BatchView))}


async def product(session: AsyncSession, product_id: int) -> ProductView | None:
    return await session.get(ProductView, product_id)


async def products_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ProductView]:
    return {p.product_id: p for p in await session.scalars(
        select(ProductView).where(ProductView.product_id.in_(set(ids))))}


async def products_of_batch(session: AsyncSession, batch_code: str) -> dict[int, ProductView]:
    return {p.product_id: p for p in await session.scalars(
        select(ProductView).where(ProductView.batch_code == batch_code))}
