"""Queries of volume transfers (CON-7)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404, lock_for_transaction
from vbpkit.web.parties import not_yours

from vbp_contracts.agreements.models import Agreement, AgreementItem
from vbp_contracts.deliveries.models import Delivery, DeliveryLine
from vbp_contracts.orders.models import OrderLine
from vbp_contracts.transfers.models import VolumeTransfer


async def lock_items(session: AsyncSession, *, hospital_codes: Iterable[str], product_id: int) -> None:
    """One transfer of a hospital's item at a time: the second finds the first (a 409), not a 500."""
    await lock_for_transaction(session, "vbp-transfers", [f"{h}/{product_id}" for h in hospital_codes])


async def failing_items(session: AsyncSession, *, batch_code: str, year: int, product_id: int,
                        hospital_codes: set[str] | None) -> list[tuple[Agreement, AgreementItem]]:
    """The effective agreements of the year with an item of the product, per hospital."""
    query = (select(Agreement, AgreementItem).join(AgreementItem, AgreementItem.agreement_id == Agreement.id)
             .where(Agreement.batch_code == batch_code, Agreement.agreement_year == year,
                    Agreement.status == "effective", AgreementItem.product_id == product_id)
             .order_by(Agreement.hospital_code))
    if hospital_codes is not None:
        query = query.where(Agreement.hospital_code.in_(hospital_codes))
    return [(a, i) for a, i in (await session.execute(query)).all()]


async def accepted_net(session: AsyncSession, *, batch_code: str, year: int, hospital_code: str,
                       manufacturer_code: str, product_id: int) -> int:
    """What the hospital accepted of the product under any version of the agreement, less returns."""
    total = await session.scalar(
        select(func.sum(func.coalesce(DeliveryLine.accepted_quantity, 0) - DeliveryLine.returned_quantity))
        .select_from(DeliveryLine)
        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
        .join(OrderLine, (OrderLine.order_id == Delivery.order_id) & (OrderLine.line_no == DeliveryLine.line_no))
        .join(Agreement, Agreement.id == OrderLine.agreement_id)
        .where(Agreement.batch_code == batch_code, Agreement.agreement_year == year,
               Agreement.hospital_code == hospital_code, Agreement.manufacturer_code == manufacturer_code,
               OrderLine.product_id == product_id))
    return int(total or 0)


async def transfers_of(session: AsyncSession, *, batch_code: str, year: int, product_id: int,
                       hospital_codes: Iterable[str]) -> dict[str, VolumeTransfer]:
    rows = await session.scalars(select(VolumeTransfer).where(
        VolumeTransfer.batch_code == batch_code, VolumeTransfer.agreement_year == year,
        VolumeTransfer.failing_product_id == product_id, VolumeTransfer.hospital_code.in_(set(hospital_codes))))
    return {t.hospital_code: t for t in rows}


async def hospital_transfers(session: AsyncSession, *, hospital_code: str,
                             product_ids: Iterable[int]) -> list[VolumeTransfer]:
    """The hospital's transfers from or to any of these products (CON-4 routing)."""
    wanted = set(product_ids)
    return list(await session.scalars(select(VolumeTransfer).where(
        VolumeTransfer.hospital_code == hospital_code,
        VolumeTransfer.failing_product_id.in_(wanted) | VolumeTransfer.backup_product_id.in_(wanted))
        .order_by(VolumeTransfer.id)))


async def agreements_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Agreement]:
    return {a.id: a for a in await session.scalars(select(Agreement).where(Agreement.id.in_(set(ids))))}


async def transfer_or_404(session: AsyncSession, *, transfer_id: int) -> VolumeTransfer:
    return await get_or_404(session, VolumeTransfer, transfer_id, detail=not_yours(f"transfer {transfer_id}"))


async def transfers_page(session: AsyncSession, *, hospital_codes: set[str | None], company_codes: set[str | None],
                         batch_code: str | None, after: int | None, limit: int) -> list[VolumeTransfer]:
    """Each non-None code of ``hospital_codes`` and ``company_codes`` narrows to it (the caller's
    own and a filter); a company is party as failing or backup manufacturer or as distributor."""
    query = select(VolumeTransfer).order_by(VolumeTransfer.id).limit(limit)
    for code in hospital_codes - {None}:
        query = query.where(VolumeTransfer.hospital_code == code)
    for company_code in company_codes - {None}:
        query = query.where((VolumeTransfer.failing_manufacturer_code == company_code)
                            | (VolumeTransfer.backup_manufacturer_code == company_code)
                            | (VolumeTransfer.distributor_code == company_code))
    if batch_code is not None:
        query = query.where(VolumeTransfer.batch_code == batch_code)
    if after is not None:
        query = query.where(VolumeTransfer.id > after)
    return list(await session.scalars(query))


async def moved_in(session: AsyncSession, *, batch_code: str, year: int) -> dict[tuple[str, str], dict[int, tuple[int, int]]]:
    """(hospital, backup manufacturer) → {backup product: (quantity moved in, unit price)} of a batch year."""
    rows = await session.execute(
        select(VolumeTransfer.hospital_code, VolumeTransfer.backup_manufacturer_code, VolumeTransfer.backup_product_id,
               func.sum(VolumeTransfer.quantity), func.max(VolumeTransfer.unit_price_fen))
        .where(VolumeTransfer.batch_code == batch_code, VolumeTransfer.agreement_year == year)
        .group_by(VolumeTransfer.hospital_code, VolumeTransfer.backup_manufacturer_code,
                  VolumeTransfer.backup_product_id))
    found: dict[tuple[str, str], dict[int, tuple[int, int]]] = {}
    for hospital, manufacturer, product_id, quantity, price in rows:
        found.setdefault((hospital, manufacturer), {})[product_id] = (int(quantity), int(price))
    return found
