"""Queries of SET-4 refunds; amounts come from their ledger postings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.ledger.models import LedgerPosting
from vbp_settlement.prepayments.models import PrepaymentPlan
from vbp_settlement.refunds.models import RefundDemand, RefundReceipt


async def plans_without_demand(session: AsyncSession) -> list[tuple[int, str]]:
    """(id, batch) of every plan no refund was demanded of — read without locks."""
    demanded = select(RefundDemand.plan_id).where(RefundDemand.plan_id == PrepaymentPlan.id).exists()
    return [(i, b) for i, b in await session.execute(
        select(PrepaymentPlan.id, PrepaymentPlan.batch_code).where(~demanded).order_by(PrepaymentPlan.id))]


async def lock_undemanded(session: AsyncSession, plan_ids: list[int]) -> list[PrepaymentPlan]:
    """Those of ``plan_ids`` still without a demand, locked; a plan a concurrent check holds is
    skipped (that check demands it): one demand each."""
    if not plan_ids:
        return []
    demanded = select(RefundDemand.plan_id).where(RefundDemand.plan_id == PrepaymentPlan.id).exists()
    return list(await session.scalars(select(PrepaymentPlan).where(PrepaymentPlan.id.in_(plan_ids), ~demanded)
                                      .order_by(PrepaymentPlan.id).with_for_update(skip_locked=True)))


async def add_demands(session: AsyncSession, rows: list[dict]) -> list[RefundDemand]:
    demands = [RefundDemand(**row) for row in rows]
    session.add_all(demands)
    await session.flush()
    return demands


async def demand(session: AsyncSession, refund_id: int, *, for_update: bool = False) -> RefundDemand | None:
    return await session.get(RefundDemand, refund_id, with_for_update=for_update)


async def demands(session: AsyncSession, *, hospital_code: str | None, after_id: int | None,
                  limit: int) -> list[RefundDemand]:
    query = select(RefundDemand).order_by(RefundDemand.id).limit(limit)
    if hospital_code:
        query = query.where(RefundDemand.hospital_code == hospital_code)
    if after_id:
        query = query.where(RefundDemand.id > after_id)
    return list(await session.scalars(query))


async def amounts(session: AsyncSession, demand_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each demand's (demanded, received so far), from the ledger."""
    if not demand_ids:
        return {}
    demanded = dict((await session.execute(
        select(RefundDemand.id, LedgerPosting.amount_fen).join(LedgerPosting, LedgerPosting.id == RefundDemand.posting_id)
        .where(RefundDemand.id.in_(demand_ids)))).all())
    received = dict((await session.execute(
        select(RefundReceipt.demand_id, func.sum(LedgerPosting.amount_fen))
        .join(LedgerPosting, LedgerPosting.transaction_id == RefundReceipt.transaction_id)
        .where(RefundReceipt.demand_id.in_(demand_ids)).group_by(RefundReceipt.demand_id))).all())
    return {i: (int(demanded[i]), int(received.get(i, 0))) for i in demand_ids}


async def add_receipt(session: AsyncSession, receipt: RefundReceipt) -> RefundReceipt:
    session.add(receipt)
    await session.flush()
    await session.refresh(receipt)
    return receipt
