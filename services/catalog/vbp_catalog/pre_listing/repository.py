"""Queries of CAT-12 pre-listing: batches about to start, their winning products, the alerts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.batches.models import Batch
from vbp_catalog.pre_listing.models import PreListingAlert
from vbp_catalog.products.models import Product

OUT = ("disqualified", "delisted")


async def batches_not_started(session: AsyncSession, *, today: date) -> list[Batch]:
    return list(await session.scalars(select(Batch).where(Batch.starts_on > today).order_by(Batch.code)))


async def winning_products(session: AsyncSession, *, batch_code: str) -> list[Product]:
    return list(await session.scalars(
        select(Product).where(Product.batch_code == batch_code, Product.winning.is_(True)).order_by(Product.id)))


async def missing(session: AsyncSession, *, batch_code: str, deadline: date) -> list[Product]:
    """Winning products of the batch not on the platform by ``deadline`` and not alerted yet."""
    return list(await session.scalars(
        select(Product)
        .where(Product.batch_code == batch_code, Product.winning.is_(True), Product.status.not_in(OUT),
               (Product.pre_listed_on.is_(None)) | (Product.pre_listed_on > deadline),
               ~select(PreListingAlert.product_id).where(PreListingAlert.product_id == Product.id).exists())
        .order_by(Product.id).with_for_update(skip_locked=True)))


async def alerts(session: AsyncSession, *, batch_code: str) -> dict[int, PreListingAlert]:
    rows = await session.scalars(select(PreListingAlert).where(PreListingAlert.batch_code == batch_code))
    return {row.product_id: row for row in rows}


async def started_pre_listed(session: AsyncSession, *, today: date) -> list[tuple[Product, date]]:
    """Pre-listed products whose batch has started, with its start, locked."""
    rows = await session.execute(
        select(Product, Batch.starts_on).join(Batch, Batch.code == Product.batch_code)
        .where(Product.status == "pre_listed", Batch.starts_on <= today)
        .order_by(Product.id).with_for_update(of=Product, skip_locked=True))
    return [(product, starts_on) for product, starts_on in rows]
