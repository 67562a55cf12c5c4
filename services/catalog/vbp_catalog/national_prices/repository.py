"""Queries of the national lowest prices (CAT-7, CAT-12)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.national_prices.models import NationalLowestPrice
from vbp_catalog.products.models import Product


async def in_force(session: AsyncSession, *, batch_code: str, today: date) -> list[NationalLowestPrice]:
    """Every figure of the batch whose day has come, oldest first."""
    return list(await session.scalars(
        select(NationalLowestPrice)
        .where(NationalLowestPrice.batch_code == batch_code, NationalLowestPrice.effective_on <= today)
        .order_by(NationalLowestPrice.effective_on, NationalLowestPrice.id)))


async def latest_of_scope(session: AsyncSession, *, batch_code: str, group_code: str | None,
                          product_id: int | None) -> NationalLowestPrice | None:
    return await session.scalar(
        select(NationalLowestPrice)
        .where(NationalLowestPrice.batch_code == batch_code,
               NationalLowestPrice.group_code.is_(None) if group_code is None
               else NationalLowestPrice.group_code == group_code,
               NationalLowestPrice.product_id.is_(None) if product_id is None
               else NationalLowestPrice.product_id == product_id)
        .order_by(NationalLowestPrice.effective_on.desc(), NationalLowestPrice.id.desc()).limit(1))


async def non_winning_in_scope(session: AsyncSession, row: NationalLowestPrice) -> list[Product]:
    """The non-winning listings the figure caps, locked in id order."""
    query = select(Product).where(Product.batch_code == row.batch_code, Product.winning.is_(False))
    if row.product_id is not None:
        query = query.where(Product.id == row.product_id)
    elif row.group_code is not None:
        query = query.where(Product.group_code == row.group_code)
    return list(await session.scalars(query.order_by(Product.id).with_for_update()))


async def due(session: AsyncSession, *, today: date) -> list[NationalLowestPrice]:
    return list(await session.scalars(
        select(NationalLowestPrice)
        .where(NationalLowestPrice.status == "pending", NationalLowestPrice.effective_on <= today)
        .order_by(NationalLowestPrice.effective_on, NationalLowestPrice.id).with_for_update(skip_locked=True)))


async def of_batch(session: AsyncSession, *, batch_code: str, product_id: int | None) -> list[NationalLowestPrice]:
    query = select(NationalLowestPrice).where(NationalLowestPrice.batch_code == batch_code)
    if product_id is not None:
        product = await session.get(Product, product_id)
        group = product.group_code if product is not None else None
        query = query.where(or_(NationalLowestPrice.product_id == product_id,
                                NationalLowestPrice.product_id.is_(None) & (
                                    NationalLowestPrice.group_code.is_(None)
                                    | (NationalLowestPrice.group_code == group))))
    return list(await session.scalars(query.order_by(NationalLowestPrice.effective_on, NationalLowestPrice.id)))
