"""Queries of the CAT-6 lower-price feature."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.batches.models import Batch
from vbp_catalog.products.models import Product


async def batch_of(session: AsyncSession, product: Product) -> Batch:
    return await session.get(Batch, product.batch_code)
