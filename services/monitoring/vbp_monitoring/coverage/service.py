"""MON-15 coverage and signing (seeds: 全市公立医疗机构和军队医疗机构…均应参加; seed 001: 及时与各有关企业
签订协议).

**Coverage**, per batch, agreement year and region: the public and military institutions in
scope, and among them those with no agreed volume set (CON-1) and those with no effective
agreement (CON-2) — ``GET /monitoring/coverage``. In the 31 days from the batch's start the
scheduled check raises a ``coverage`` alert (rule MON-15, period: the start's month) for each such
institution — once, while joining still smooths the start; the read lists them any time.

**Signing**: an agreement version generated ``signing_deadline_days`` (policy, 15) ago that has
not taken effect raises an ``unsigned`` alert naming the parties that have not signed. The facts come from contracts' events:
``contracts.agreed_volume.set``, ``contracts.agreement.generated`` / ``.signed`` / ``.effective``.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.domain.policy import agreement_years
from vbpkit.domain.regions import ancestors, is_known
from vbpkit.events import Envelope
from vbpkit.events.contracts import AgreedVolumeSet, AgreementEffective, AgreementGenerated, AgreementSigned
from vbpkit.projections.catalog_view import repository as catalog
from vbpkit.web.identity import Principal
from vbpkit.web.problems import Problem
from vbpkit.web.read_scope import ReadScope, covered

from vbp_monitoring.coverage import repository

PARTIES = ("hospital", "manufacturer", "distributor")
# the coverage alert is the start's: raised in the month after a batch starts, when a missing
# institution can still join (the read lists them any time)
COVERAGE_CHECK_DAYS = 31


async def on_volume_set(session: AsyncSession, event: AgreedVolumeSet, envelope: Envelope) -> None:
    await repository.put_volume(session, dict(batch_code=event.batch_code, agreement_year=event.agreement_year,
                                              hospital_code=event.hospital_code, product_id=event.product_id,
                                              quantity=event.quantity))


async def on_generated(session: AsyncSession, event: AgreementGenerated, envelope: Envelope) -> None:
    await repository.generated(session, dict(
        agreement_id=event.agreement_id, batch_code=event.batch_code, agreement_year=event.agreement_year,
        hospital_code=event.hospital_code, manufacturer_code=event.manufacturer_code, distributor_code=None,
        generated_on=event.generated_on))


async def on_signed(session: AsyncSession, event: AgreementSigned, envelope: Envelope) -> None:
    """A signature of an agreement generated before monitoring kept generations is let be."""
    await repository.signed(session, agreement_id=event.agreement_id, party=event.party,
                            distributor_code=event.distributor_code)


async def on_effective(session: AsyncSession, event: AgreementEffective, envelope: Envelope) -> None:
    await repository.took_effect(session, agreement_id=event.agreement_id, batch_code=event.batch_code,
                                 year=event.agreement_year, hospital_code=event.hospital_code,
                                 manufacturer_code=event.manufacturer_code)


async def coverage(session: AsyncSession, *, principal: Principal, batch_code: str, year: int,
                   region_code: str | None) -> dict:
    batch = await catalog.batch(session, batch_code)
    if batch is None:
        raise Problem(404, detail=f"no batch {batch_code} known to monitoring")
    if not 1 <= year <= agreement_years(batch.cycle).value:
        raise Problem(422, detail=f"{batch_code} has no agreement year {year}",
                      errors=[{"field": "query.year", "reason": "outside the cycle"}])
    scope = ReadScope.of(principal)
    volumes = await repository.with_volumes(session, batch_code=batch_code, year=year)
    provinces = await _provinces(session, batch_code)
    institutions = [i for i in await repository.in_scope(session)
                    if scope.covers(i.region_code) and covered(i.region_code, region_code)
                    and scope.shows_hospital(i.code) and _province(i.region_code) in provinces]
    agreed = await repository.with_agreements(session, batch_code=batch_code, year=year)
    return {"batch_code": batch_code, "year": year, "region_code": region_code or scope.region_code,
            "in_scope": len(institutions),
            "without_volumes": [_row(i) for i in institutions if i.code not in volumes],
            "without_agreement": [_row(i) for i in institutions if i.code not in agreed],
            "provinces": sorted(provinces),
            "explain": {"rule": "MON-15", "in_scope": "public and military institutions of the region (seeds: "
                        "全市公立医疗机构和军队医疗机构…均应参加), in the provinces where the batch's volumes were "
                        "agreed (a batch names no region of its own)", "without_volumes": "no agreed volume set for the "
                        "year (CON-1)", "without_agreement": "no agreement in effect for the year (CON-2)"}}


def _row(institution) -> dict:
    return {"hospital_code": institution.code, "hospital_name": institution.name, "kind": institution.kind,
            "region_code": institution.region_code}


def _province(region_code: str | None) -> str | None:
    if not region_code or not is_known(region_code):
        return None
    chain = ancestors(region_code)
    return chain[-1].code if chain else region_code


async def _provinces(session: AsyncSession, batch_code: str) -> set[str]:
    """The provinces whose hospitals agreed volumes of the batch, any year: where it is in force."""
    return {p for p in map(_province, await repository.volume_regions(session, batch_code=batch_code)) if p}


async def alerts_due(session: AsyncSession, *, today: date, region_of) -> list[dict]:
    rows = []
    batches = await catalog.all_batches(session)
    starting = {code: b for code, b in batches.items()
                if b.starts_on <= today <= b.starts_on + timedelta(days=COVERAGE_CHECK_DAYS)}
    institutions = await repository.in_scope(session) if starting else []
    provinces_of = {i.code: _province(i.region_code) for i in institutions}
    for code, batch in sorted(starting.items()):
        volumes = await repository.with_volumes(session, batch_code=code, year=1)
        agreed = await repository.with_agreements(session, batch_code=code, year=1)
        provinces = await _provinces(session, code)
        for institution in (i for i in institutions if provinces_of[i.code] in provinces):
            missing = [what for what, have in (("agreed volumes", volumes), ("an effective agreement", agreed))
                       if institution.code not in have]
            if missing:
                rows.append(dict(kind="coverage", rule="MON-15", period=batch.starts_on.isoformat()[:7],
                                 batch_code=code, hospital_code=institution.code, company_code="", product_id=0,
                                 group_code="", region_code=institution.region_code, raised_on=today, details={
                                     "rule": "MON-15", "kind": institution.kind, "missing": missing,
                                     "starts_on": batch.starts_on.isoformat(),
                                     "why": "public and military institutions all take part (全市公立医疗机构和军队"
                                            "医疗机构…均应参加)"}))
    for fact in await repository.unsigned(session, generated_by=today - timedelta(days=1)):
        batch = batches.get(fact.batch_code)
        if batch is None or fact.generated_on + timedelta(days=batch.policy.signing_deadline_days) > today:
            continue
        waiting = [p for p in PARTIES if p not in fact.signed]
        rows.append(dict(kind="unsigned", rule="MON-15", period=today.isoformat()[:7], batch_code=fact.batch_code,
                         hospital_code=fact.hospital_code, company_code=fact.manufacturer_code, product_id=0,
                         group_code="", subject=str(fact.agreement_id), region_code=await region_of(fact.hospital_code),
                         raised_on=today, details={
                             "rule": "MON-15", "agreement_id": fact.agreement_id,
                             "generated_on": fact.generated_on.isoformat(),
                             "deadline_days": batch.policy.signing_deadline_days, "signed": sorted(fact.signed),
                             "not_signed": waiting,
                             "why": "seed 001: 及时与各有关企业签订协议"}))
    return rows


HANDLERS = {"contracts.agreed_volume.set": on_volume_set, "contracts.agreement.generated": on_generated,
            "contracts.agreement.signed": on_signed, "contracts.agreement.effective": on_effective}
