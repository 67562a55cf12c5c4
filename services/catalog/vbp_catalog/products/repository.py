from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_catalog.lower_prices.models import LowerPrice, PriceReduction
from vbp_catalog.products.models import Product, ProductChange


async def search(
    session: AsyncSession, *, after: int | None, limit: int, batch_code: str | None, name: str | None,
    registration_no: str | None, company: str | None, status: str | None, winning: bool | None,
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
    if status is not None:
        query = query.where(Product.status == status)
    if winning is not None:
        query = query.where(Product.winning == winning)
    return list(await session.scalars(query))


async def history(session: AsyncSession, product_id: int) -> list[ProductChange]:
    return list(await session.scalars(
        select(ProductChange).where(ProductChange.product_id == product_id).order_by(ProductChange.id)))


async def lower_prices(session: AsyncSession, product_id: int) -> list[LowerPrice]:
    return list(await session.scalars(
        select(LowerPrice).where(LowerPrice.product_id == product_id).order_by(LowerPrice.id)))


async def reductions(session: AsyncSession, product_id: int) -> list[PriceReduction]:
    return list(await session.scalars(
        select(PriceReduction).where(PriceReduction.product_id == product_id).order_by(PriceReduction.id)))
