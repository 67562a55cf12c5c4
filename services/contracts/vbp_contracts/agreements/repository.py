"""Queries of the agreements feature (CON-2, CON-3, CON-6)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import get_or_404, lock_for_transaction
from vbpkit.web.parties import not_yours

from vbp_contracts.agreements.models import Agreement, AgreementItem, Signature
from vbp_contracts.deliveries.models import Delivery, DeliveryLine
from vbp_contracts.orders.models import OrderLine
from vbp_contracts.volumes.models import AgreedVolume


async def items_of_agreement(session: AsyncSession, *, agreement_id: int) -> list[AgreementItem]:
    return list(await session.scalars(
        select(AgreementItem).where(AgreementItem.agreement_id == agreement_id).order_by(AgreementItem.product_id)))


async def signatures_of_agreement(session: AsyncSession, *, agreement_id: int) -> list[Signature]:
    return list(await session.scalars(select(Signature).where(Signature.agreement_id == agreement_id)))


async def signature(session: AsyncSession, *, agreement_id: int, party: str) -> Signature | None:
    return await session.get(Signature, (agreement_id, party))


async def lock_batch_year(session: AsyncSession, *, batch_code: str, year: int) -> None:
    """One generation of a batch year's agreements at a time (CON-2, issue 21): the second of
    two at once finds the versions the first made, instead of making the same version again
    (the version's unique key refused it as a 500)."""
    await lock_for_transaction(session, "vbp-agreements", [f"{batch_code}/{year}"])


async def latest_version_for_update(session: AsyncSession, *, batch_code: str, year: int, hospital_code: str,
                                    manufacturer_code: str) -> Agreement | None:
    return await session.scalar(
        select(Agreement).where(
            Agreement.batch_code == batch_code, Agreement.agreement_year == year,
            Agreement.hospital_code == hospital_code, Agreement.manufacturer_code == manufacturer_code,
        ).order_by(Agreement.version.desc()).limit(1).with_for_update())


async def delete_items(session: AsyncSession, *, agreement_id: int) -> None:
    await session.execute(AgreementItem.__table__.delete().where(AgreementItem.agreement_id == agreement_id))


async def move_open_lines(session: AsyncSession, *, agreement_id: int, distributor_code: str,
                          statuses: tuple[str, ...]) -> int:
    """Hands the agreement's undelivered lines in ``statuses`` to ``distributor_code`` as
    pending again; returns how many moved."""
    result = await session.execute(
        update(OrderLine)
        .where(OrderLine.agreement_id == agreement_id, OrderLine.status.in_(statuses),
               OrderLine.delivered_quantity < OrderLine.quantity)
        # the new distributor has not accepted these lines yet: it confirms or declines them again
        .values(distributor_code=distributor_code, status="pending"))
    return result.rowcount


async def supersede_earlier_versions(session: AsyncSession, *, agreement: Agreement) -> None:
    await session.execute(
        update(Agreement).where(
            Agreement.batch_code == agreement.batch_code, Agreement.agreement_year == agreement.agreement_year,
            Agreement.hospital_code == agreement.hospital_code,
            Agreement.manufacturer_code == agreement.manufacturer_code, Agreement.version < agreement.version,
        ).values(status="superseded"))


async def agreements_page(session: AsyncSession, *, hospital_codes: set[str | None],
                          company_codes: set[str | None], batch_code: str | None, year: int | None,
                          status: str | None, after: int | None, limit: int) -> list[Agreement]:
    """Agreements by id; of each hospital named (the caller's own and the one asked for: two
    different ones find nothing), where each company named is manufacturer or distributor."""
    query = select(Agreement).order_by(Agreement.id).limit(limit)
    for hospital_code in hospital_codes - {None}:
        query = query.where(Agreement.hospital_code == hospital_code)
    for company_code in company_codes - {None}:
        query = query.where((Agreement.manufacturer_code == company_code)
                            | (Agreement.distributor_code == company_code))
    if batch_code:
        query = query.where(Agreement.batch_code == batch_code)
    if year:
        query = query.where(Agreement.agreement_year == year)
    if status:
        query = query.where(Agreement.status == status)
    if after:
        query = query.where(Agreement.id > after)
    return list(await session.scalars(query))


async def agreed_by_hospital_and_product(session: AsyncSession, *, batch_code: str,
                                         year: int) -> dict[tuple[str, int], int]:
    """CON-3's base and current volumes: (hospital, product) → agreed quantity of the year."""
    rows = await session.execute(
        select(AgreedVolume.hospital_code, AgreedVolume.product_id, AgreedVolume.quantity)
        .where(AgreedVolume.batch_code == batch_code, AgreedVolume.agreement_year == year))
    return {(h, p): q for h, p, q in rows}


async def accepted_by_hospital(session: AsyncSession, *, batch_code: str, year: int) -> dict[str, int]:
    """CON-3 stent rule's base: what each hospital actually accepted (less returns) in the year."""
    rows = await session.execute(
        select(Agreement.hospital_code,
               func.sum(func.coalesce(DeliveryLine.accepted_quantity, 0) - DeliveryLine.returned_quantity))
        .select_from(DeliveryLine)
        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
        .join(OrderLine, (OrderLine.order_id == Delivery.order_id) & (OrderLine.line_no == DeliveryLine.line_no))
        .join(Agreement, Agreement.id == OrderLine.agreement_id)
        .where(Agreement.batch_code == batch_code, Agreement.agreement_year == year)
        .group_by(Agreement.hospital_code))
    return {h: int(q or 0) for h, q in rows}


async def agreement_or_404(session: AsyncSession, *, agreement_id: int, for_update: bool = False) -> Agreement:
    """GW-5: worded so that a foreign tenant learns nothing of another's agreement."""
    return await get_or_404(session, Agreement, agreement_id, detail=not_yours(f"agreement {agreement_id}"), for_update=for_update)
