"""Queries of MON-2/MON-3 alerts and the facts they are checked on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.alerts.models import Alert
from vbpkit.projections.accepted_lines import AcceptedLine
from vbp_monitoring.purchases.models import Agreement, AgreementItem


async def monthly_accepted(session: AsyncSession, *, today: date) -> list:
    """(batch, hospital, company, product, year, month, quantity) accepted per month, to today."""
    month = func.date_trunc("month", AcceptedLine.accepted_on).cast(AcceptedLine.accepted_on.type)
    key = (AcceptedLine.batch_code, AcceptedLine.hospital_code, AcceptedLine.manufacturer_code,
           AcceptedLine.product_id, AcceptedLine.agreement_year, month)
    return list(await session.execute(select(*key, func.sum(AcceptedLine.quantity))
                                      .where(AcceptedLine.accepted_on <= today).group_by(*key)))


async def agreed(session: AsyncSession) -> dict[tuple, int]:
    """(batch, hospital, product, year) → agreed quantity."""
    rows = await session.execute(
        select(Agreement.batch_code, Agreement.hospital_code, AgreementItem.product_id, Agreement.agreement_year,
               func.sum(AgreementItem.agreed_quantity))
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.agreement_id)
        .group_by(Agreement.batch_code, Agreement.hospital_code, AgreementItem.product_id, Agreement.agreement_year))
    return {(b, h, p, y): int(q) for b, h, p, y, q in rows}


async def hospitals_with_items(session: AsyncSession) -> list[tuple[str, str]]:
    """(batch, hospital) of every hospital with effective first-year agreement items."""
    rows = await session.execute(
        select(Agreement.batch_code, Agreement.hospital_code).distinct()
        .join(AgreementItem, AgreementItem.agreement_id == Agreement.agreement_id)
        .where(Agreement.agreement_year == 1, AgreementItem.agreed_quantity > 0)
        .order_by(Agreement.batch_code, Agreement.hospital_code))
    return [(b, h) for b, h in rows]


async def hospitals_that_bought(session: AsyncSession, batch_codes: list[str], *, today: date) -> set[tuple[str, str]]:
    if not batch_codes:
        return set()
    rows = await session.execute(select(AcceptedLine.batch_code, AcceptedLine.hospital_code).distinct()
                                 .where(AcceptedLine.batch_code.in_(batch_codes), AcceptedLine.accepted_on <= today))
    return {(b, h) for b, h in rows}


# An alert row binds 11 parameters; PostgreSQL takes at most 32,767 in one statement (a month's
# MON-11 check of a province raises tens of thousands of alerts at once).
ALERTS_PER_STATEMENT = 2_000


async def raise_once(session: AsyncSession, rows: list[dict]) -> list[Alert]:
    """Insert the alerts not raised before (one per kind, period, batch, hospital, company and
    product), in statements of at most ``ALERTS_PER_STATEMENT`` rows; the new ones come back."""
    raised: list[Alert] = []
    # one multi-row INSERT takes its columns from the first row: every row gets ``subject``, which
    # most kinds leave out, or a later row's would be dropped
    rows = [{"subject": "", **row} for row in rows]
    for start in range(0, len(rows), ALERTS_PER_STATEMENT):
        raised += list(await session.scalars(insert(Alert).values(rows[start:start + ALERTS_PER_STATEMENT])
                                             .on_conflict_do_nothing(constraint="uq_alerts_once").returning(Alert)))
    return raised


async def resolve(session: AsyncSession, *, kind: str, keys: set[tuple[str, str]], today: date) -> list[int]:
    """Resolve the open or acknowledged alerts of ``kind`` for these (batch, hospital)."""
    resolved = []
    for batch_code, hospital_code in sorted(keys):
        resolved += list(await session.scalars(
            update(Alert).where(Alert.kind == kind, Alert.batch_code == batch_code,
                                Alert.hospital_code == hospital_code, Alert.status != "resolved")
            .values(status="resolved", resolved_on=today).returning(Alert.id)))
    return resolved


async def alert(session: AsyncSession, alert_id: int, *, for_update: bool = False) -> Alert | None:
    return await session.get(Alert, alert_id, with_for_update=for_update)


async def listing(session: AsyncSession, *, filters: dict, after_id: int | None, limit: int) -> list[Alert]:
    query = select(Alert).order_by(Alert.id).limit(limit)
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(Alert, column) == value)
    if after_id:
        query = query.where(Alert.id > after_id)
    return list(await session.scalars(query))


