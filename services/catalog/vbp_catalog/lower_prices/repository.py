"""Queries of the CAT-6 lower-price feature."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.batches.models import Batch
from vbp_catalog.lower_prices.models import LowerPrice, PriceReduction
from vbp_catalog.products.models import Product


async def batch_of(session: AsyncSession, *, product: Product) -> Batch:
    return await session.get(Batch, product.batch_code)


async def locked_product(session: AsyncSession, *, product_id: int) -> Product:
    """A product a lower price or reduction points at (a foreign key: it exists), locked for its change."""
    return await session.get(Product, product_id, with_for_update=True)


async def open_lower_prices_met(
    session: AsyncSession, *, product_id: int, winning_price_fen: int, effective_on: date, today: date
) -> list[LowerPrice]:
    """Seed 002: the open lower prices of the product a reduction to ``winning_price_fen``
    meets — at or below each, effective by its deadline and applied by it — locked."""
    return list(await session.scalars(
        select(LowerPrice).where(
            LowerPrice.product_id == product_id, LowerPrice.status == "open",
            LowerPrice.price_fen >= winning_price_fen, LowerPrice.deadline_on >= effective_on,
            LowerPrice.deadline_on >= today,
        ).with_for_update()
    ))


async def due_reductions(session: AsyncSession, *, today: date) -> list[PriceReduction]:
    """Reductions not yet applied whose effective day has come, oldest first; rows another
    check holds are skipped, not waited for."""
    return list(await session.scalars(
        select(PriceReduction).where(PriceReduction.applied.is_(False), PriceReduction.effective_on <= today)
        .order_by(PriceReduction.effective_on, PriceReduction.id).with_for_update(skip_locked=True)
    ))


async def lapsed_lower_prices(session: AsyncSession, *, today: date) -> list[LowerPrice]:
    """Open lower prices whose deadline passed before ``today`` (CAT-6), locked the same way."""
    return list(await session.scalars(
        select(LowerPrice).where(LowerPrice.status == "open", LowerPrice.deadline_on < today)
        .order_by(LowerPrice.id).with_for_update(skip_locked=True)
    ))
