"""Writes of the report's facts and the aggregates of the monthly report (MON-8). Every read
groups a month's items (or a region's plans and invoices) in the database; ``hospitals`` is
the region's hospitals, or None for every hospital."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.projections.read_models import upsert_latest
from vbpkit.db.repository import in_array

from vbp_monitoring.alerts.models import Alert
from vbp_monitoring.credit.models import BreachCost
from vbp_monitoring.prepayment_use.models import DisbursementFact
from vbp_monitoring.report.models import (MonthlyPurchase, OffsetFact, PrepaymentPlanFact, RefundFact,
                                          RefundReceiptFact)
from vbp_monitoring.savings.models import BaselinePrice
from vbp_monitoring.supply.models import MonthlySupply
from vbp_monitoring.timeliness.models import FundPayableFact, InvoiceFact, LateTranche, PaymentFact


async def put_plan(session: AsyncSession, row: dict) -> None:
    """The plan as settlement announced it last; an older announcement that came late changes nothing."""
    await upsert_latest(session, PrepaymentPlanFact, [row], key="plan_id")


def _monthly_upsert(sums: tuple[str, ...]):
    table = MonthlyPurchase.__table__
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["month", "batch_code", "hospital_code", "product_id", "manufacturer_code"],
        set_={name: table.c[name] + statement.excluded[name] for name in sums})


# Built once and run with many parameter sets (insertmanyvalues), not a multi-row VALUES compiled
# afresh for every fetch: that compile was most of the consumer's time (bench/RESULTS.md).
_ADD_ACCEPTED = _monthly_upsert(("accepted_quantity", "accepted_fen"))
_ADD_RETURNED = _monthly_upsert(("returned_quantity", "returned_fen"))


async def add_monthly_purchases(session: AsyncSession, rows: list[dict]) -> None:
    """Add each row's accepted (or returned) quantity and amount to its month's item, in item
    order so two fetches adding to the same items never wait on each other in a circle."""
    if rows:
        rows = sorted(rows, key=lambda r: (r["month"], r["batch_code"], r["hospital_code"], r["product_id"],
                                           r["manufacturer_code"]))
        await session.execute(_ADD_ACCEPTED if "accepted_quantity" in rows[0] else _ADD_RETURNED, rows)


async def put_offsets(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        await session.execute(insert(OffsetFact).values(rows).on_conflict_do_nothing(
            index_elements=["payable_id", "plan_id"]))


async def put_refund(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(RefundFact).values(**row).on_conflict_do_nothing(index_elements=["refund_id"]))


async def put_receipt(session: AsyncSession, row: dict) -> None:
    await session.execute(insert(RefundReceiptFact).values(**row).on_conflict_do_nothing(
        index_elements=["receipt_id"]))


def _within(column, hospitals: list[str] | None):
    # IN (SELECT unnest(…)), not = ANY(…): the service keeps its statements prepared, and a
    # generic plan of = ANY searched the region's 700 codes once per row (bench/RESULTS.md).
    return true() if hospitals is None else in_array(column, hospitals)


async def purchases(session: AsyncSession, *, month: date, hospitals: list[str] | None) -> list:
    """(batch, product, company, accepted q, accepted fen, returned q, returned fen, savings fen,
    baseline known) of the month."""
    m = MonthlyPurchase
    net_q = m.accepted_quantity - m.returned_quantity
    saved = case((BaselinePrice.product_id.is_not(None),
                  BaselinePrice.baseline_price_fen * net_q - (m.accepted_fen - m.returned_fen)), else_=0)
    key = (m.batch_code, m.product_id, m.manufacturer_code)
    return list(await session.execute(
        select(*key, func.sum(m.accepted_quantity), func.sum(m.accepted_fen), func.sum(m.returned_quantity),
               func.sum(m.returned_fen), func.sum(saved), func.bool_or(BaselinePrice.product_id.is_not(None)))
        .outerjoin(BaselinePrice, BaselinePrice.product_id == m.product_id)
        .where(m.month == month, _within(m.hospital_code, hospitals)).group_by(*key).order_by(*key)))


async def supply(session: AsyncSession, *, month: date, hospitals: list[str] | None) -> list:
    """(batch, company, ordered, confirmed, declined, delivered) of the month."""
    s = MonthlySupply
    key = (s.batch_code, s.manufacturer_code)
    return list(await session.execute(
        select(*key, func.sum(s.ordered_quantity), func.sum(s.confirmed_quantity), func.sum(s.declined_quantity),
               func.sum(s.delivered_quantity))
        .where(s.month == month, _within(s.hospital_code, hospitals)).group_by(*key).order_by(*key)))


async def failure_costs(session: AsyncSession, *, first: date, last: date, hospitals: list[str] | None) -> list:
    """(company, costs, Σ fen) of the costs hospitals proved against breaches, incurred in the month (MON-13)."""
    c = BreachCost
    return list(await session.execute(
        select(c.company_code, func.count(), func.sum(c.amount_fen))
        .where(c.incurred_on.between(first, last), _within(c.hospital_code, hospitals))
        .group_by(c.company_code).order_by(c.company_code)))


async def payments(session: AsyncSession, *, first: date, last: date, hospitals: list[str] | None) -> dict:
    """The month's invoicing and paying: invoiced, paid, found overdue, due and paid on time."""
    i, p = InvoiceFact, PaymentFact
    live = and_(i.live.is_(True), _within(i.hospital_code, hospitals))
    invoiced = (await session.execute(select(func.count(), func.coalesce(func.sum(i.amount_fen), 0))
                                      .where(live, i.submitted_on.between(first, last)))).one()
    paid = await session.scalar(select(func.coalesce(func.sum(p.amount_fen), 0)).join(i, i.invoice_id == p.invoice_id)
                                .where(live, p.reversed.is_(False), p.paid_on.between(first, last)))
    overdue = (await session.execute(select(func.count(), func.coalesce(func.sum(i.amount_fen), 0))
                                     .where(live, i.overdue_on.between(first, last)))).one()
    by_due = (select(i.invoice_id, i.amount_fen, func.coalesce(func.sum(case(
        (p.reversed.is_(False) & (p.paid_on <= i.due_on), p.amount_fen), else_=0)), 0).label("paid"))
        .outerjoin(p, p.invoice_id == i.invoice_id).where(live, i.due_on.between(first, last))
        .group_by(i.invoice_id, i.amount_fen).subquery())
    due, on_time = (await session.execute(select(func.count(), func.count().filter(
        by_due.c.paid >= by_due.c.amount_fen)))).one()
    return {"invoiced_count": invoiced[0], "invoiced_fen": int(invoiced[1]), "paid_fen": int(paid),
            "found_overdue_count": overdue[0], "found_overdue_fen": int(overdue[1]), "invoices_due": due,
            "paid_on_time": on_time}


async def prepayments(session: AsyncSession, *, last: date, hospitals: list[str] | None) -> dict[str, dict]:
    """Per batch, as of ``last``: planned (plans whose first tranche is due by then), disbursed,
    found late (undisbursed), offset and refunded, in fen."""
    per: dict[str, dict] = {}

    def add(rows, name):
        for batch_code, fen in rows:
            per.setdefault(batch_code, dict.fromkeys(("planned", "disbursed", "late", "offset", "refunded"), 0))[
                name] += int(fen)
    plan, d, late, o, r, rr = (PrepaymentPlanFact, DisbursementFact, LateTranche, OffsetFact, RefundFact,
                               RefundReceiptFact)
    add(await session.execute(select(plan.batch_code, func.sum(plan.total_fen)).where(
        plan.first_due_on <= last, _within(plan.hospital_code, hospitals)).group_by(plan.batch_code)), "planned")
    add(await session.execute(select(d.batch_code, func.sum(d.amount_fen)).where(
        d.on <= last, _within(d.hospital_code, hospitals)).group_by(d.batch_code)), "disbursed")
    add(await session.execute(select(late.batch_code, func.sum(late.undisbursed_fen)).where(
        late.late_on <= last, _within(late.hospital_code, hospitals)).group_by(late.batch_code)), "late")
    add(await session.execute(select(o.batch_code, func.sum(o.amount_fen))
                              .join(FundPayableFact, FundPayableFact.payable_id == o.payable_id)
                              .where(FundPayableFact.live.is_(True), FundPayableFact.paid_on <= last,
                                     _within(o.hospital_code, hospitals)).group_by(o.batch_code)), "offset")
    add(await session.execute(select(r.batch_code, func.sum(rr.amount_fen)).join(r, r.refund_id == rr.refund_id)
                              .where(rr.received_on <= last, _within(r.hospital_code, hospitals))
                              .group_by(r.batch_code)), "refunded")
    return per


async def alerts(session: AsyncSession, *, month: date, first: date, last: date, limit: int) -> list[Alert]:
    """The alerts of the month: those whose period is the month, and those raised in it for a
    period that is not a month (e.g. onboarding)."""
    label = month.isoformat()[:7]
    return list(await session.scalars(select(Alert).where(
        (Alert.period == label) | (Alert.raised_on.between(first, last) & Alert.period.op("!~")(r"^\d{4}-\d{2}$")))
        .order_by(Alert.id).limit(limit)))
