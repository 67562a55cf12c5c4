"""Queries of CAT-11 payment standards."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from vbp_catalog.payment_standards.models import PaymentStandard
from vbp_catalog.products.models import Product


async def history(session: AsyncSession, product_id: int) -> list[PaymentStandard]:
    """Every standard of the product, in the order they take effect (then were set)."""
    return list(await session.scalars(select(PaymentStandard).where(PaymentStandard.product_id == product_id)
                                      .order_by(PaymentStandard.effective_from, PaymentStandard.id)))


async def latest(session: AsyncSession, product_id: int) -> PaymentStandard | None:
    return await session.scalar(select(PaymentStandard).where(PaymentStandard.product_id == product_id)
                                .order_by(PaymentStandard.effective_from.desc(), PaymentStandard.id.desc()).limit(1))


async def table_on(session: AsyncSession, *, day: date,
                   batch_code: str | None) -> list[tuple[Product, PaymentStandard, date | None]]:
    """Each product's standard on ``day`` and the day its next one starts (products with none
    yet are left out)."""
    candidate = aliased(PaymentStandard)
    latest_on = (select(candidate.id).where(candidate.product_id == Product.id, candidate.effective_from <= day)
                 .order_by(candidate.effective_from.desc(), candidate.id.desc()).limit(1)
                 .correlate(Product).scalar_subquery())
    later = aliased(PaymentStandard)
    next_from = (select(func.min(later.effective_from))
                 .where(later.product_id == Product.id, later.effective_from > day)
                 .correlate(Product).scalar_subquery())
    query = (select(Product, PaymentStandard, next_from).join(PaymentStandard, PaymentStandard.id == latest_on)
             .order_by(Product.batch_code, Product.id))
    if batch_code:
        query = query.where(Product.batch_code == batch_code)
    return [(p, s, n) for p, s, n in await session.execute(query)]
