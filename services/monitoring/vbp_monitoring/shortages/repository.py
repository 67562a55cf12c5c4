"""Queries of MON-12 shortages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import filtered_page
from vbpkit.projections.accepted_lines import AcceptedLine, LineReturn
from vbpkit.projections.catalog_view import ProductView

from vbp_monitoring.credit.models import Breach
from vbp_monitoring.purchases.models import Agreement, AgreementItem
from vbp_monitoring.shortages.models import Shortage
from vbp_monitoring.supply.models import SupplyLine


async def shortage(session: AsyncSession, shortage_id: int, *, for_update: bool = False) -> Shortage | None:
    return await session.get(Shortage, shortage_id, with_for_update=for_update)


async def listing(session: AsyncSession, *, filters: dict, after_id: int | None, limit: int) -> list[Shortage]:
    return list(await session.scalars(filtered_page(Shortage, filters, after_id=after_id, limit=limit)))


async def supply_breaches(session: AsyncSession, *, since: date) -> list[tuple]:
    """(product, batch, hospital, manufacturer, occurred on, breach id) of every late or failed supply
    breach of an order line since ``since``, force majeure left out (MON-12)."""
    rows = await session.execute(
        select(SupplyLine.product_id, SupplyLine.batch_code, SupplyLine.hospital_code, SupplyLine.manufacturer_code,
               Breach.occurred_on, Breach.id)
        .join(SupplyLine, (SupplyLine.order_id == Breach.order_id) & (SupplyLine.line_no == Breach.line_no))
        .where(Breach.kind.in_(("late_supply", "failed_supply")), Breach.exempt.is_(False),
               Breach.occurred_on >= since)
        .order_by(Breach.id))
    return list(rows)


async def halted_products(session: AsyncSession) -> list[ProductView]:
    return list(await session.scalars(select(ProductView).where(ProductView.status.in_(("suspended", "disqualified")))
                                      .order_by(ProductView.product_id)))


async def volume_left(session: AsyncSession, *, product_id: int, year: int) -> dict[str, int]:
    """hospital → agreed − accepted net of returns of the product in agreement year ``year``, where above 0."""
    agreed = dict((await session.execute(
        select(Agreement.hospital_code, func.sum(AgreementItem.agreed_quantity))
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.agreement_id)
        .where(AgreementItem.product_id == product_id, Agreement.agreement_year == year)
        .group_by(Agreement.hospital_code))).all())
    taken = dict((await session.execute(
        select(AcceptedLine.hospital_code, func.sum(AcceptedLine.quantity))
        .where(AcceptedLine.product_id == product_id, AcceptedLine.agreement_year == year)
        .group_by(AcceptedLine.hospital_code))).all())
    returned = dict((await session.execute(
        select(AcceptedLine.hospital_code, func.sum(LineReturn.quantity))
        .join(AcceptedLine, (AcceptedLine.delivery_id == LineReturn.delivery_id)
              & (AcceptedLine.line_no == LineReturn.line_no))
        .where(AcceptedLine.product_id == product_id, AcceptedLine.agreement_year == year)
        .group_by(AcceptedLine.hospital_code))).all())
    left = {h: int(q) - int(taken.get(h, 0)) + int(returned.get(h, 0)) for h, q in agreed.items()}
    return {h: q for h, q in left.items() if q > 0}
