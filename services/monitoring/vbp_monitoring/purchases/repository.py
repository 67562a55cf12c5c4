"""Writes of the purchase read models (MON-1) and each month's purchases of each item (MON-8)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.purchases.models import AcceptedLine, Agreement, AgreementItem, LineReturn
from vbp_monitoring.report.models import MonthlyPurchase


async def put_agreement(session: AsyncSession, row: dict, items: list[dict]) -> bool:
    """Keep this version unless a later one is kept already; its items replace the earlier ones."""
    statement = insert(Agreement).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["agreement_id"], set_={k: statement.excluded[k] for k in row if k != "agreement_id"},
        where=Agreement.version_no < statement.excluded.version_no).returning(Agreement.agreement_id)
    if (await session.execute(statement)).first() is None:
        return False
    await session.execute(delete(AgreementItem).where(AgreementItem.agreement_id == row["agreement_id"]))
    if items:
        await session.execute(insert(AgreementItem).values(items))
    return True


async def insert_accepted(session: AsyncSession, rows: list[dict]) -> None:
    """Store the lines not seen before and add them to their month's purchases (MON-8)."""
    if not rows:
        return
    # One cached statement run for many parameter sets (insertmanyvalues), not a multi-row
    # VALUES compiled afresh for every fetch: that compile was most of the consumer's time.
    new = await session.execute(_INSERT_ACCEPTED, rows)
    monthly: dict[tuple, list[int]] = {}
    for on, batch_code, hospital, product, company, quantity, price in new:
        sums = monthly.setdefault((on.replace(day=1), batch_code, hospital, product, company), [0, 0])
        sums[0] += quantity
        sums[1] += quantity * price
    await _add_monthly(session, [dict(month=m, batch_code=b, hospital_code=h, product_id=p, manufacturer_code=c,
                                      accepted_quantity=q, accepted_fen=f)
                                 for (m, b, h, p, c), (q, f) in sorted(monthly.items())])


_LINES = AcceptedLine.__table__
_INSERT_ACCEPTED = insert(_LINES).on_conflict_do_nothing(index_elements=["delivery_id", "line_no"]).returning(
    _LINES.c.accepted_on, _LINES.c.batch_code, _LINES.c.hospital_code, _LINES.c.product_id,
    _LINES.c.manufacturer_code, _LINES.c.quantity, _LINES.c.unit_price_fen)


def _monthly_upsert(sums: tuple[str, ...]):
    table = MonthlyPurchase.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["month", "batch_code", "hospital_code", "product_id", "manufacturer_code"],
        set_={name: table.c[name] + statement.excluded[name] for name in sums})


_ADD_ACCEPTED = _monthly_upsert(("accepted_quantity", "accepted_fen"))
_ADD_RETURNED = _monthly_upsert(("returned_quantity", "returned_fen"))


async def _add_monthly(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(_ADD_ACCEPTED if "accepted_quantity" in rows[0] else _ADD_RETURNED, rows)


async def add_return(session: AsyncSession, *, delivery_id: int, line_no: int, quantity: int,
                     returned_on: date) -> bool:
    """False when the line is unknown here (the consumer parks the event)."""
    line = await session.get(AcceptedLine, (delivery_id, line_no))
    if line is None:
        return False
    session.add(LineReturn(delivery_id=delivery_id, line_no=line_no, quantity=quantity, returned_on=returned_on))
    await _add_monthly(session, [dict(month=returned_on.replace(day=1), batch_code=line.batch_code,
                                      hospital_code=line.hospital_code, product_id=line.product_id,
                                      manufacturer_code=line.manufacturer_code, returned_quantity=quantity,
                                      returned_fen=quantity * line.unit_price_fen)])
    return True
