"""Queries of the rating consequences (MON-6 → CAT-12)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.batches.models import Batch
from vbp_catalog.products.models import Product, ProductChange


async def products_of(session: AsyncSession, *, company_code: str, statuses: tuple[str, ...]) -> list[Product]:
    """The company's products (its own applications) in these statuses, locked."""
    return list(await session.scalars(
        select(Product).where(Product.applicant_credit_code == company_code, Product.status.in_(statuses))
        .order_by(Product.id).with_for_update()))


async def last_status_change_by(session: AsyncSession, product_ids: list[int]) -> dict[int, str]:
    """Who made each product's latest status change."""
    if not product_ids:
        return {}
    rows = await session.execute(
        select(ProductChange.product_id, ProductChange.changed_by)
        .where(ProductChange.product_id.in_(product_ids), ProductChange.kind == "status")
        .order_by(ProductChange.product_id, ProductChange.id.desc())
        .distinct(ProductChange.product_id))
    return {product_id: by for product_id, by in rows}


async def batches(session: AsyncSession, codes: set[str]) -> dict[str, Batch]:
    if not codes:
        return {}
    return {b.code: b for b in await session.scalars(select(Batch).where(Batch.code.in_(sorted(codes))))}
