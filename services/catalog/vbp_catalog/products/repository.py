"""Queries of the catalog's products (CAT-3/4/5/7/8) and of what a product's detail shows."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404, lock_for_transaction

from vbp_catalog.lower_prices.models import LowerPrice, PriceReduction
from vbp_catalog.products.models import Product, ProductChange


# PostgreSQL takes at most 32,767 parameters a statement; a key is two.
_KEYS_PER_STATEMENT = 2_000


async def product_or_404(session: AsyncSession, *, product_id: int, for_update: bool = False) -> Product:
    return await get_or_404(session, Product, product_id, detail=f"no product {product_id}",
                            with_for_update=for_update)


async def product(session: AsyncSession, *, product_id: int) -> Product | None:
    return await session.get(Product, product_id)


async def lock_batch_listings(session: AsyncSession, *, batch_code: str) -> None:
    """One listing push of a batch at a time (CAT-4, issue 21), taken before
    :func:`listings_by_key`: it then sees every listing an earlier push created, so the same
    rows pushed twice at once are listed (and announced) once, the second push finding them
    unchanged, instead of failing on the listing's unique key."""
    await lock_for_transaction(session, "vbp-listings", [batch_code])


async def listings_by_key(
    session: AsyncSession, *, batch_code: str, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], Product]:
    """The batch's listings among (registration number, spec) ``keys``, locked for the push (CAT-4)."""
    found: dict[tuple[str, str], Product] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), _KEYS_PER_STATEMENT):
        found.update(
            ((p.registration_no, p.spec), p)
            for p in await session.scalars(
                select(Product)
                .where(Product.batch_code == batch_code,
                       tuple_(Product.registration_no, Product.spec).in_(ordered[start:start + _KEYS_PER_STATEMENT]))
                .order_by(Product.id)
                .with_for_update()
            )
        )
    return found


async def search(
    session: AsyncSession, *, after: int | None, limit: int, batch_code: str | None, name: str | None,
    registration_no: str | None, company: str | None, status: str | None, winning: bool | None,
    insurance_code: str | None = None,
) -> list[Product]:
    query = select(Product).order_by(Product.id).limit(limit)
    if after is not None:
        query = query.where(Product.id > after)
    if batch_code is not None:
        query = query.where(Product.batch_code == batch_code)
    if name is not None:
        query = query.where(Product.name.contains(name, autoescape=True))
    if registration_no is not None:
        query = query.where(or_(Product.registration_no == registration_no, Product.renewed_from == registration_no))
    if company is not None:
        query = query.where(or_(
            Product.applicant_credit_code == company.upper(),
            Product.applicant.contains(company, autoescape=True),
            Product.registrant.contains(company, autoescape=True),
        ))
    if insurance_code is not None:
        query = query.where(Product.insurance_code.startswith(insurance_code, autoescape=True))
    if status is not None:
        query = query.where(Product.status == status)
    if winning is not None:
        query = query.where(Product.winning == winning)
    return list(await session.scalars(query))


async def history(session: AsyncSession, *, product_id: int) -> list[ProductChange]:
    return list(await session.scalars(
        select(ProductChange).where(ProductChange.product_id == product_id).order_by(ProductChange.id)))


async def lower_prices(session: AsyncSession, *, product_id: int) -> list[LowerPrice]:
    return list(await session.scalars(
        select(LowerPrice).where(LowerPrice.product_id == product_id).order_by(LowerPrice.id)))


async def reductions(session: AsyncSession, *, product_id: int) -> list[PriceReduction]:
    return list(await session.scalars(
        select(PriceReduction).where(PriceReduction.product_id == product_id).order_by(PriceReduction.id)))

