"""Queries of the orders feature (CON-4, CON-6)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import copy_rows, get_or_404, lock_for_transaction
from vbpkit.runtime.clock import day_start
from vbpkit.web.parties import not_yours

from vbp_contracts.agreements.models import Agreement, AgreementItem
from vbp_contracts.orders.models import Order, OrderLine
from vbp_contracts.orders.schemas import OrderFilter


async def effective_agreement(session: AsyncSession, *, batch_code: str, year: int, hospital_code: str,
                              manufacturer_code: str) -> Agreement | None:
    """The latest effective version of the hospital's agreement with the manufacturer."""
    return await session.scalar(
        select(Agreement).where(
            Agreement.batch_code == batch_code, Agreement.agreement_year == year,
            Agreement.hospital_code == hospital_code,
            Agreement.manufacturer_code == manufacturer_code, Agreement.status == "effective",
        ).order_by(Agreement.version.desc()).limit(1))


async def effective_agreements(session: AsyncSession, *, hospital_code: str,
                               keys: set[tuple[str, int, str | None]]) -> dict[tuple[str, int, str], Agreement]:
    """The latest effective version of each of the hospital's agreements named by (batch,
    agreement year, manufacturer), in one query."""
    wanted = [k for k in keys if k[2] is not None]
    if not wanted:
        return {}
    found = await session.scalars(select(Agreement).where(
        Agreement.hospital_code == hospital_code, Agreement.status == "effective",
        tuple_(Agreement.batch_code, Agreement.agreement_year, Agreement.manufacturer_code).in_(wanted),
    ).order_by(Agreement.version))
    return {(a.batch_code, a.agreement_year, a.manufacturer_code): a for a in found}  # the last version wins


async def agreed_quantities(session: AsyncSession, *, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Agreed quantity per (agreement, product)."""
    if not pairs:
        return {}
    rows = await session.execute(select(AgreementItem.agreement_id, AgreementItem.product_id,
                                        AgreementItem.agreed_quantity).where(
        tuple_(AgreementItem.agreement_id, AgreementItem.product_id).in_(list(pairs))))
    return {(a, p): q for a, p, q in rows}


async def ordered_quantities(session: AsyncSession, *, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """What is on order per (agreement, product), declined lines not counted."""
    if not pairs:
        return {}
    rows = await session.execute(select(OrderLine.agreement_id, OrderLine.product_id, func.sum(OrderLine.quantity))
                                 .where(tuple_(OrderLine.agreement_id, OrderLine.product_id).in_(list(pairs)),
                                        OrderLine.status != "declined")
                                 .group_by(OrderLine.agreement_id, OrderLine.product_id))
    return {(a, p): int(q) for a, p, q in rows}


async def orders_by_his_numbers(session: AsyncSession, *, hospital_code: str, numbers: set[str]) -> dict[str, Order]:
    if not numbers:
        return {}
    found = await session.scalars(select(Order).where(Order.hospital_code == hospital_code,
                                                      Order.his_order_no.in_(list(numbers))))
    return {o.his_order_no: o for o in found}


async def lock_hospital_orders(session: AsyncSession, *, hospital_code: str) -> None:
    """One placement of a hospital's orders at a time, single or month-end upload (CON-4): the
    HIS order numbers already placed are read with nobody else placing the same hospital's
    orders meanwhile, so an order sent twice at once is placed once (the second finds the
    first, issue 21), and what is on order, and so ``beyond_agreed``, is counted exactly."""
    await lock_for_transaction(session, "vbp-orders", [hospital_code])


async def insert_orders(session: AsyncSession, *, orders: list[tuple], lines: list[tuple]) -> list[int]:
    """Orders (hospital, HIS number, fingerprint, placed by, placed at) and their lines
    (order index, line no, product, batch, agreement, manufacturer, distributor, quantity,
    unit price, beyond agreed) by binary COPY, with ids drawn from the orders' sequence first;
    returns the orders' ids in the given order."""
    ids = list(await session.scalars(select(func.nextval(func.pg_get_serial_sequence("orders", "id")))
                                     .select_from(func.generate_series(1, len(orders)))))
    await copy_rows(session, Order.__table__, ["id", "hospital_code", "his_order_no", "request_sha256", "placed_by",
                                               "placed_at"], [(i, *o) for i, o in zip(ids, orders)])
    await copy_rows(session, OrderLine.__table__, [
        "order_id", "line_no", "product_id", "batch_code", "agreement_id", "manufacturer_code", "distributor_code",
        "quantity", "unit_price_fen", "beyond_agreed", "status", "delivered_quantity"],
        [(ids[line[0]], *line[1:], "pending", 0) for line in lines])
    return ids


async def agreed_quantity(session: AsyncSession, *, agreement_id: int, product_id: int) -> int:
    return await session.scalar(select(AgreementItem.agreed_quantity).where(
        AgreementItem.agreement_id == agreement_id, AgreementItem.product_id == product_id)) or 0


async def ordered_quantity(session: AsyncSession, *, agreement_id: int, product_id: int) -> int:
    """What is on order under the agreement, declined lines not counted."""
    return await session.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
        OrderLine.agreement_id == agreement_id, OrderLine.product_id == product_id,
        OrderLine.status != "declined")) or 0


async def order_by_his_number(session: AsyncSession, *, hospital_code: str, his_order_no: str) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.hospital_code == hospital_code, Order.his_order_no == his_order_no))


async def lines_of_order(session: AsyncSession, *, order_id: int, for_update: bool = False) -> list[OrderLine]:
    query = select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
    return list(await session.scalars(query.with_for_update() if for_update else query))


async def companies_of_order(session: AsyncSession, *, order_id: int) -> tuple[str, ...]:
    """The distributors and the manufacturers of the order's lines: the companies that see it."""
    companies = tuple(await session.scalars(select(OrderLine.distributor_code).where(OrderLine.order_id == order_id)))
    return companies + tuple(
        await session.scalars(select(OrderLine.manufacturer_code).where(OrderLine.order_id == order_id)))


async def current_distributors(session: AsyncSession, *, agreement_ids: set[int]) -> dict[int, str | None]:
    return dict((await session.execute(
        select(Agreement.id, Agreement.distributor_code).where(Agreement.id.in_(agreement_ids)))).all())


async def orders_page(session: AsyncSession, *, scope_hospital: str | None = None, scope_company: str | None = None,
                      wanted: OrderFilter, after: int | None, limit: int) -> list[Order]:
    """Orders by id within the caller's scope (one hospital's, or those with a line a company
    distributes or manufactures), narrowed by ``wanted``."""
    query = select(Order).order_by(Order.id).limit(limit)
    for hospital in {scope_hospital, wanted.hospital_code} - {None}:
        query = query.where(Order.hospital_code == hospital)
    for company in {scope_company, wanted.company_code} - {None}:
        query = query.where(Order.id.in_(select(OrderLine.order_id).where(
            (OrderLine.distributor_code == company) | (OrderLine.manufacturer_code == company))))
    if wanted.batch_code is not None:
        query = query.where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.batch_code == wanted.batch_code)))
    if wanted.status is not None:
        query = query.where(Order.id.in_(select(OrderLine.order_id).where(OrderLine.status == wanted.status)))
    if wanted.placed_from is not None:
        query = query.where(Order.placed_at >= day_start(wanted.placed_from))
    if wanted.placed_to is not None:
        query = query.where(Order.placed_at < day_start(wanted.placed_to + timedelta(days=1)))
    if after:
        query = query.where(Order.id > after)
    return list(await session.scalars(query))


async def order_or_404(session: AsyncSession, *, order_id: int, for_update: bool = False) -> Order:
    """GW-5: worded so that a foreign tenant learns nothing of another's order."""
    return await get_or_404(session, Order, order_id, detail=not_yours(f"order {order_id}"), for_update=for_update)
