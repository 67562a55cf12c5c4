"""Queries of SET-4 fund payables, offsets and deductions. Every lookup of a bulk post is one
statement over all its rows (``any_of``), so 10,000 rows cost a handful of round trips."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import any_of, as_json, copy_rows, lock_for_transaction, reserve_ids

from vbp_settlement.fund_payables.models import DirectSettlementDeduction, FundPayable, PrepaymentOffset
from vbp_settlement.ledger.models import LedgerPosting
from vbp_settlement.payments.models import Payment
from vbp_settlement.prepayments.models import Disbursement, PrepaymentPlan, PrepaymentTranche
from vbp_settlement.refunds.models import RefundDemand


async def reserve_payable_ids(session: AsyncSession, count: int) -> list[int]:
    """Ids for new payables before they are written, so a superseded version can name its
    successor in the same statement that retires it."""
    return await reserve_ids(session, FundPayable.__tablename__, count)


async def lock_hospitals(session: AsyncSession, hospital_codes: Iterable[str]) -> None:
    """One post of a hospital's payables at a time. Locking the live rows alone is not enough:
    a hospital's first post of a month has no row to lock, and a correction waiting on a row
    finds it superseded once the lock is granted — both would write a version the other wrote
    too (the unique version constraint refused it as a 500, seen in bench/chaos.py). A post of
    more than a few dozen hospitals, a month's 10,000 of them, takes all fund payables at once
    rather than a lock per hospital: two such posts held 20,000 advisory locks and ran
    PostgreSQL's lock table out (issue 21)."""
    await lock_for_transaction(session, "vbp-fund-payables", hospital_codes)


async def live_for_update(session: AsyncSession, hospital_codes: Iterable[str], months: Iterable[date]) -> dict:
    """The live versions of these hospitals' months (what a correction needs of them), locked."""
    p = FundPayable
    rows = await session.execute(
        select(p.id, p.hospital_code, p.fund, p.month, p.version, p.amount_fen, p.net_fen, p.paid_on, p.transaction_id)
        .where(any_of(p.hospital_code, set(hospital_codes)), any_of(p.month, set(months)), p.status == "live")
        .order_by(p.id).with_for_update())
    return {(r.hospital_code, r.fund, r.month): r for r in rows}


async def offset_amounts(session: AsyncSession, payable_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """(payable, plan, amount) of each offset of these payables."""
    rows = await session.execute(
        select(PrepaymentOffset.payable_id, PrepaymentOffset.plan_id, LedgerPosting.amount_fen)
        .join(LedgerPosting, LedgerPosting.id == PrepaymentOffset.posting_id)
        .where(any_of(PrepaymentOffset.payable_id, set(payable_ids))))
    return [(a, b, int(c)) for a, b, c in rows]


async def plans_for_update(session: AsyncSession, hospital_codes: Iterable[str]):
    """What offsets need of the hospitals' plans (not their explains), locked in id order:
    offsets of one plan are computed by one posting at a time."""
    p = PrepaymentPlan
    return list(await session.execute(
        select(p.id, p.batch_code, p.hospital_code, p.fund, p.prepaid_year, p.base_fen, p.total_fen)
        .where(any_of(p.hospital_code, set(hospital_codes))).order_by(p.id).with_for_update(of=p)))


async def disbursed_by_plan(session: AsyncSession, plan_ids: list[int]) -> dict[int, int]:
    """Σ disbursements less reversals of each plan, from the ledger (SET-6)."""
    signed = case((Disbursement.reverses_id.is_(None), LedgerPosting.amount_fen), else_=-LedgerPosting.amount_fen)
    rows = await session.execute(
        select(PrepaymentTranche.plan_id, func.sum(signed))
        .join(Disbursement, Disbursement.tranche_id == PrepaymentTranche.id)
        .join(LedgerPosting, LedgerPosting.transaction_id == Disbursement.transaction_id)
        .where(any_of(PrepaymentTranche.plan_id, plan_ids)).group_by(PrepaymentTranche.plan_id))
    return {plan_id: int(total) for plan_id, total in rows}


async def offset_by_plan(session: AsyncSession, plan_ids: list[int]) -> dict[int, int]:
    """Σ offsets of each plan on live payables (a superseded payable's were reversed)."""
    rows = await session.execute(
        select(PrepaymentOffset.plan_id, func.sum(LedgerPosting.amount_fen))
        .join(LedgerPosting, LedgerPosting.id == PrepaymentOffset.posting_id)
        .join(FundPayable, FundPayable.id == PrepaymentOffset.payable_id)
        .where(any_of(PrepaymentOffset.plan_id, plan_ids), FundPayable.status == "live")
        .group_by(PrepaymentOffset.plan_id))
    return {plan_id: int(total) for plan_id, total in rows}


async def refunded_by_plan(session: AsyncSession, plan_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(RefundDemand.plan_id, LedgerPosting.amount_fen)
        .join(LedgerPosting, LedgerPosting.id == RefundDemand.posting_id)
        .where(any_of(RefundDemand.plan_id, plan_ids)))
    return {plan_id: int(amount) for plan_id, amount in rows}


async def pending_direct_settlements(session: AsyncSession,
                                     hospital_codes: Iterable[str]) -> list[tuple[Payment, int]]:
    """SET-5: the fund's payments to companies for these hospitals with what is not yet
    deducted from a live payable, oldest first."""
    deducted = (select(func.coalesce(func.sum(LedgerPosting.amount_fen), 0))
                .select_from(DirectSettlementDeduction)
                .join(LedgerPosting, LedgerPosting.id == DirectSettlementDeduction.posting_id)
                .join(FundPayable, FundPayable.id == DirectSettlementDeduction.payable_id)
                .where(DirectSettlementDeduction.payment_id == Payment.id, FundPayable.status == "live")
                .scalar_subquery())
    rows = await session.execute(
        select(Payment, Payment.amount_fen - deducted)
        .where(any_of(Payment.hospital_code, set(hospital_codes)), Payment.source == "fund",
               Payment.amount_fen > deducted)
        .order_by(Payment.paid_on, Payment.id))
    return [(payment, int(pending)) for payment, pending in rows]


async def offsets_of(session: AsyncSession, payable_ids: Iterable[int]) -> list[tuple[PrepaymentOffset, int]]:
    rows = await session.execute(
        select(PrepaymentOffset, LedgerPosting.amount_fen)
        .join(LedgerPosting, LedgerPosting.id == PrepaymentOffset.posting_id)
        .where(any_of(PrepaymentOffset.payable_id, set(payable_ids))).order_by(PrepaymentOffset.id))
    return [(o, int(a)) for o, a in rows]


async def deductions_of(session: AsyncSession,
                        payable_ids: Iterable[int]) -> list[tuple[DirectSettlementDeduction, int]]:
    rows = await session.execute(
        select(DirectSettlementDeduction, LedgerPosting.amount_fen)
        .join(LedgerPosting, LedgerPosting.id == DirectSettlementDeduction.posting_id)
        .where(any_of(DirectSettlementDeduction.payable_id, set(payable_ids))).order_by(DirectSettlementDeduction.id))
    return [(d, int(a)) for d, a in rows]


async def supersede(session: AsyncSession, rows: list[dict]) -> None:
    """Retire live versions: ``{id, superseded_by_id, reversal_transaction_id}`` each."""
    if rows:
        table = FundPayable.__table__
        await session.execute(
            update(table).where(table.c.id == bindparam("payable_id"))
            .values(status="superseded", superseded_by_id=bindparam("successor"),
                    reversal_transaction_id=bindparam("reversal")),
            [{"payable_id": r["id"], "successor": r["superseded_by_id"], "reversal": r["reversal_transaction_id"]}
             for r in rows])


PAYABLE_COLUMNS = ["id", "hospital_code", "fund", "month", "version", "status", "amount_fen", "net_fen", "paid_on",
                   "transaction_id", "explain", "posted_by"]


async def add_payables(session: AsyncSession, rows: list[dict]) -> None:
    """Binary COPY (a month's post writes up to 10,000); ``explain`` goes as JSON text."""
    await copy_rows(session, FundPayable.__table__, PAYABLE_COLUMNS,
                    [tuple(as_json(r[c]) if c == "explain" else r[c] for c in PAYABLE_COLUMNS) for r in rows])


async def add_offsets(session: AsyncSession, rows: list[dict]) -> None:
    columns = ["payable_id", "plan_id", "posting_id", "batch_code"]
    await copy_rows(session, PrepaymentOffset.__table__, columns, [tuple(r[c] for c in columns) for r in rows])


async def add_deductions(session: AsyncSession, rows: list[dict]) -> None:
    columns = ["payable_id", "payment_id", "posting_id"]
    await copy_rows(session, DirectSettlementDeduction.__table__, columns,
                    [tuple(r[c] for c in columns) for r in rows])


async def payable(session: AsyncSession, payable_id: int) -> FundPayable | None:
    return await session.get(FundPayable, payable_id)


async def payables(session: AsyncSession, *, hospital_code: str | None, fund: str | None, month: date | None,
                   include_superseded: bool, after_id: int | None, limit: int) -> list[FundPayable]:
    query = select(FundPayable).order_by(FundPayable.id).limit(limit)
    if hospital_code:
        query = query.where(FundPayable.hospital_code == hospital_code)
    if fund:
        query = query.where(FundPayable.fund == fund)
    if month:
        query = query.where(FundPayable.month == month)
    if not include_superseded:
        query = query.where(FundPayable.status == "live")
    if after_id:
        query = query.where(FundPayable.id > after_id)
    return list(await session.scalars(query))


async def versions_of_month(session: AsyncSession, *, hospital_code: str, month: date) -> list[FundPayable]:
    return list(await session.scalars(
        select(FundPayable).where(FundPayable.hospital_code == hospital_code, FundPayable.month == month)
        .order_by(FundPayable.fund, FundPayable.version)))


async def payment(session: AsyncSession, payment_id: int) -> Payment | None:
    return await session.get(Payment, payment_id)


async def payments(session: AsyncSession, payment_ids: Iterable[int]) -> list[Payment]:
    ids = set(payment_ids)
    return list(await session.scalars(select(Payment).where(any_of(Payment.id, ids)))) if ids else []
