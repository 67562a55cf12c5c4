"""Queries of MON-15 coverage and signing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.projections.registry.models import InstitutionView

from vbp_monitoring.coverage.models import AgreedVolumeFact, SigningFact
from vbp_monitoring.purchases.models import Agreement


async def put_volume(session: AsyncSession, row: dict) -> None:
    statement = insert(AgreedVolumeFact).values(**row)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["batch_code", "agreement_year", "hospital_code", "product_id"],
        set_={"quantity": statement.excluded.quantity}))


async def generated(session: AsyncSession, row: dict) -> None:
    statement = insert(SigningFact).values(**row, signed=[], effective=False)
    await session.execute(statement.on_conflict_do_update(
        index_elements=["agreement_id"], set_={"generated_on": statement.excluded.generated_on}))


async def signed(session: AsyncSession, *, agreement_id: int, party: str, distributor_code: str | None) -> bool:
    """Whether the agreement was known (its generation seen)."""
    fact = await session.get(SigningFact, agreement_id, with_for_update=True)
    if fact is None:
        return False
    if party not in fact.signed:
        fact.signed = [*fact.signed, party]
    fact.distributor_code = distributor_code or fact.distributor_code
    return True


async def took_effect(session: AsyncSession, *, agreement_id: int, batch_code: str, year: int, hospital_code: str,
                      manufacturer_code: str) -> None:
    """This version and the ones before it of the same agreement await nothing any more."""
    await session.execute(update(SigningFact).where(
        SigningFact.batch_code == batch_code, SigningFact.agreement_year == year,
        SigningFact.hospital_code == hospital_code, SigningFact.manufacturer_code == manufacturer_code,
        SigningFact.agreement_id <= agreement_id).values(effective=True))


async def in_scope(session: AsyncSession) -> list[InstitutionView]:
    """Public and military institutions (seeds: 全市公立医疗机构和军队医疗机构均应参加)."""
    return list(await session.scalars(select(InstitutionView).where(InstitutionView.kind.in_(("public", "military")))
                                      .order_by(InstitutionView.code)))


async def with_volumes(session: AsyncSession, *, batch_code: str, year: int) -> set[str]:
    return set(await session.scalars(select(AgreedVolumeFact.hospital_code).distinct().where(
        AgreedVolumeFact.batch_code == batch_code, AgreedVolumeFact.agreement_year == year,
        AgreedVolumeFact.quantity > 0)))


async def volume_regions(session: AsyncSession, *, batch_code: str) -> list[str | None]:
    """The regions of the hospitals that agreed volumes of the batch."""
    return list(await session.scalars(select(InstitutionView.region_code).distinct().join(
        AgreedVolumeFact, AgreedVolumeFact.hospital_code == InstitutionView.code).where(
        AgreedVolumeFact.batch_code == batch_code)))


async def with_agreements(session: AsyncSession, *, batch_code: str, year: int) -> set[str]:
    return set(await session.scalars(select(Agreement.hospital_code).distinct().where(
        Agreement.batch_code == batch_code, Agreement.agreement_year == year)))


async def unsigned(session: AsyncSession, *, generated_by: date) -> list[SigningFact]:
    return list(await session.scalars(select(SigningFact).where(
        SigningFact.effective.is_(False), SigningFact.generated_on <= generated_by).order_by(SigningFact.agreement_id)))
