"""Queries of the prepayments feature (SET-3). What a tranche received is read from the ledger."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_settlement.ledger.models import LedgerPosting
from vbp_settlement.prepayments.models import Disbursement, PlannedAgreement, PrepaymentPlan, PrepaymentTranche


async def plan_for_update(session: AsyncSession, *, batch_code: str, hospital_code: str,
                          prepaid_year: int) -> PrepaymentPlan | None:
    return await session.scalar(select(PrepaymentPlan).where(
        PrepaymentPlan.batch_code == batch_code, PrepaymentPlan.hospital_code == hospital_code,
        PrepaymentPlan.prepaid_year == prepaid_year).with_for_update())


async def plan(session: AsyncSession, plan_id: int, *, for_update: bool = False) -> PrepaymentPlan | None:
    query = select(PrepaymentPlan).where(PrepaymentPlan.id == plan_id)
    return await session.scalar(query.with_for_update() if for_update else query)


async def plans(session: AsyncSession, *, batch_code: str | None, hospital_code: str | None, after_id: int | None,
                limit: int) -> list[PrepaymentPlan]:
    query = select(PrepaymentPlan).order_by(PrepaymentPlan.id).limit(limit)
    if batch_code:
        query = query.where(PrepaymentPlan.batch_code == batch_code)
    if hospital_code:
        query = query.where(PrepaymentPlan.hospital_code == hospital_code)
    if after_id:
        query = query.where(PrepaymentPlan.id > after_id)
    return list(await session.scalars(query))


async def agreements_of(session: AsyncSession, plan_id: int) -> list[PlannedAgreement]:
    return list(await session.scalars(select(PlannedAgreement).where(PlannedAgreement.plan_id == plan_id)
                                      .order_by(PlannedAgreement.manufacturer_code)))


async def put_agreement(session: AsyncSession, row: dict) -> bool:
    """Count this agreement version unless a later one of the manufacturer is counted already."""
    statement = insert(PlannedAgreement).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["plan_id", "manufacturer_code"],
        set_={k: statement.excluded[k] for k in ("agreement_id", "version_no", "agreed_amount_fen", "items")},
        where=PlannedAgreement.version_no < statement.excluded.version_no,
    ).returning(PlannedAgreement.plan_id)
    return (await session.execute(statement)).first() is not None


async def tranches_of(session: AsyncSession, plan_ids: list[int]) -> list[PrepaymentTranche]:
    if not plan_ids:
        return []
    return list(await session.scalars(select(PrepaymentTranche).where(PrepaymentTranche.plan_id.in_(plan_ids))
                                      .order_by(PrepaymentTranche.plan_id, PrepaymentTranche.number)))


async def disbursed_fen(session: AsyncSession, tranche_ids: list[int]) -> dict[int, int]:
    """Σ of each tranche's disbursements less their reversals, from their ledger postings (SET-6)."""
    if not tranche_ids:
        return {}
    signed = case((Disbursement.reverses_id.is_(None), LedgerPosting.amount_fen), else_=-LedgerPosting.amount_fen)
    rows = await session.execute(
        select(Disbursement.tranche_id, func.sum(signed))
        .join(LedgerPosting, LedgerPosting.transaction_id == Disbursement.transaction_id)
        .where(Disbursement.tranche_id.in_(tranche_ids)).group_by(Disbursement.tranche_id))
    found = {tranche_id: int(total) for tranche_id, total in rows}
    return {tranche_id: found.get(tranche_id, 0) for tranche_id in tranche_ids}


async def disbursed_by_due_date(session: AsyncSession, tranche_ids: list[int]) -> dict[int, int]:
    """SET-3: what each tranche had received, net of reversals, by the end of its due date."""
    if not tranche_ids:
        return {}
    signed = case((Disbursement.reverses_id.is_(None), LedgerPosting.amount_fen), else_=-LedgerPosting.amount_fen)
    rows = await session.execute(
        select(Disbursement.tranche_id, func.sum(signed))
        .join(LedgerPosting, LedgerPosting.transaction_id == Disbursement.transaction_id)
        .join(PrepaymentTranche, PrepaymentTranche.id == Disbursement.tranche_id)
        .where(Disbursement.tranche_id.in_(tranche_ids), Disbursement.disbursed_on <= PrepaymentTranche.due_on)
        .group_by(Disbursement.tranche_id))
    found = {tranche_id: int(total) for tranche_id, total in rows}
    return {tranche_id: found.get(tranche_id, 0) for tranche_id in tranche_ids}


async def disbursements_of(session: AsyncSession, tranche_ids: list[int]) -> list[tuple[Disbursement, int]]:
    if not tranche_ids:
        return []
    rows = await session.execute(
        select(Disbursement, func.sum(LedgerPosting.amount_fen))
        .join(LedgerPosting, LedgerPosting.transaction_id == Disbursement.transaction_id)
        .where(Disbursement.tranche_id.in_(tranche_ids)).group_by(Disbursement.id).order_by(Disbursement.id))
    return [(d, int(total)) for d, total in rows]


async def undisbursed_due_before(session: AsyncSession, *, today: date) -> list[PrepaymentTranche]:
    """SET-3: tranches due before ``today`` not yet marked late, locked so a concurrent check
    waits and then finds them marked (each is announced exactly once)."""
    return list(await session.scalars(
        select(PrepaymentTranche).where(PrepaymentTranche.late_on.is_(None), PrepaymentTranche.due_on < today,
                                        PrepaymentTranche.amount_fen > 0)
        .order_by(PrepaymentTranche.id).with_for_update(skip_locked=True)))


async def disbursement_for_reversal(session: AsyncSession, *, plan_id: int, disbursement_id: int):
    """The plan's disbursement (not itself a reversal) with its tranche, and whether it was reversed."""
    row = (await session.execute(
        select(Disbursement, PrepaymentTranche)
        .join(PrepaymentTranche, PrepaymentTranche.id == Disbursement.tranche_id)
        .where(Disbursement.id == disbursement_id, PrepaymentTranche.plan_id == plan_id,
               Disbursement.reverses_id.is_(None)))).first()
    if row is None:
        return None
    reversed_already = await session.scalar(select(Disbursement.id).where(Disbursement.reverses_id == disbursement_id))
    return row[0], row[1], reversed_already is not None


async def disbursement_amounts(session: AsyncSession, disbursement_ids: list[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Disbursement.id, func.sum(LedgerPosting.amount_fen))
        .join(LedgerPosting, LedgerPosting.transaction_id == Disbursement.transaction_id)
        .where(Disbursement.id.in_(disbursement_ids)).group_by(Disbursement.id))
    return {d: int(total) for d, total in rows}
