"""Queries of MON-1 progress: agreed items and accepted quantities net of returns, by date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbpkit.projections.accepted_lines import AcceptedLine, LineReturn
from vbpkit.db.repository import any_of

from vbp_monitoring.purchases.models import Agreement, AgreementItem, ProductStatusChange, TransferFact


async def agreed_items(session: AsyncSession, *, batch_code: str | None, hospital_code: str | None,
                       manufacturer_code: str | None) -> list:
    """(batch, year, hospital, manufacturer, product, agreed quantity, price) of every kept agreement item."""
    query = (select(Agreement.batch_code, Agreement.agreement_year, Agreement.hospital_code,
                    Agreement.manufacturer_code, AgreementItem.product_id, AgreementItem.agreed_quantity,
                    AgreementItem.unit_price_fen)
             .join(AgreementItem, AgreementItem.agreement_id == Agreement.agreement_id))
    if batch_code:
        query = query.where(Agreement.batch_code == batch_code)
    if hospital_code:
        query = query.where(Agreement.hospital_code == hospital_code)
    if manufacturer_code:
        query = query.where(Agreement.manufacturer_code == manufacturer_code)
    return list(await session.execute(query))


async def accepted(session: AsyncSession, *, batch_code: str, year: int, first: date, as_of: date) -> dict:
    """(hospital, product) → (accepted quantity, returned quantity, accepted amount, returned amount)
    of the batch's agreement year, accepted from ``first`` and returned by ``as_of``."""
    in_year = (AcceptedLine.batch_code == batch_code, AcceptedLine.agreement_year == year,
               AcceptedLine.accepted_on.between(first, as_of))
    key = (AcceptedLine.hospital_code, AcceptedLine.product_id)
    found: dict = {}
    for hospital, product, quantity, amount in await session.execute(
            select(*key, func.sum(AcceptedLine.quantity), func.sum(AcceptedLine.quantity * AcceptedLine.unit_price_fen))
            .where(*in_year).group_by(*key)):
        found[(hospital, product)] = [int(quantity), 0, int(amount), 0]
    for hospital, product, quantity, amount in await session.execute(
            select(*key, func.sum(LineReturn.quantity), func.sum(LineReturn.quantity * AcceptedLine.unit_price_fen))
            .join(AcceptedLine, (AcceptedLine.delivery_id == LineReturn.delivery_id)
                  & (AcceptedLine.line_no == LineReturn.line_no))
            .where(*in_year, LineReturn.returned_on <= as_of).group_by(*key)):
        entry = found.setdefault((hospital, product), [0, 0, 0, 0])
        entry[1], entry[3] = int(quantity), int(amount)
    return {k: tuple(v) for k, v in found.items()}


async def status_changes(session: AsyncSession, product_ids: set[int]) -> dict[int, list[tuple[date, str, str]]]:
    """product → [(from, status, reason)] in date order (catalog's status changes)."""
    found: dict[int, list[tuple[date, str, str]]] = {}
    if not product_ids:
        return found
    rows = await session.execute(
        select(ProductStatusChange.product_id, ProductStatusChange.effective_on, ProductStatusChange.status,
               ProductStatusChange.reason)
        .where(any_of(ProductStatusChange.product_id, product_ids)).order_by(ProductStatusChange.effective_on))
    for product, day, status, reason in rows:
        found.setdefault(product, []).append((day, status, reason))
    return found


async def transfers(session: AsyncSession, hospital_codes: set[str]) -> dict[tuple, tuple[str, date]]:
    """(batch, year, hospital, product) → ("failing" | "backup", transfer day) of CON-7 transfers;
    a backup item counts only where it was new to the hospital."""
    found: dict[tuple, tuple[str, date]] = {}
    if not hospital_codes:
        return found
    for t in await session.scalars(select(TransferFact).where(any_of(TransferFact.hospital_code, hospital_codes))):
        found[(t.batch_code, t.agreement_year, t.hospital_code, t.failing_product_id)] = ("failing", t.transfer_on)
        if t.backup_item_new:
            found[(t.batch_code, t.agreement_year, t.hospital_code, t.backup_product_id)] = ("backup", t.transfer_on)
    return found
