from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.domain.money import format_yuan
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.credit import costs, service
from vbp_monitoring.credit.schemas import (
    BreachIn, BreachPage, BreachRead, CostIn, CostList, CostRead, Exemption, Rating)

router = APIRouter(tags=["company credit"])
READERS = require_roles(Role.INSURER, Role.EXCHANGE, Role.COMPANY)


@router.get("/companies/{company_code}/rating", response_model=Rating, dependencies=[READERS],
            summary="A company's rating on a day: the most severe breach of the 12 months to it (MON-6)")
async def read_rating(company_code: Annotated[str, Path(min_length=1, max_length=18)], session: SessionDep,
                      principal: PrincipalDep, clock: ClockDep, as_of: date | None = None) -> Rating:
    found = await service.rating(session, company_code=company_code, as_of=as_of or clock.today(), principal=principal)
    return Rating(**{**found, "breaches": [BreachRead.model_validate(b) for b in found["breaches"]]})


@router.get("/breaches", response_model=BreachPage, dependencies=[READERS],
            summary="Breaches, detected and recorded, filtered; a company sees its own (MON-6)")
async def list_breaches(session: SessionDep, principal: PrincipalDep,
                        company_code: Annotated[str | None, Query(max_length=18)] = None,
                        batch_code: Annotated[str | None, Query(max_length=64)] = None,
                        kind: Literal["accompanying_service", "quality", "illegal_conduct", "price", "late_supply",
                                      "failed_supply"] | None = None,
                        severity: Literal["一般", "中等", "严重", "特别严重"] | None = None,
                        first: date | None = None, last: date | None = None,
                        cursor: Annotated[int | None, Query(ge=0, le=BIGINT_MAX)] = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> BreachPage:
    found = await service.listing(session, principal=principal, first=first, last=last, after_id=cursor, limit=limit,
                                  filters={"company_code": company_code, "batch_code": batch_code, "kind": kind,
                                           "severity": severity})
    return BreachPage(items=[BreachRead.model_validate(b) for b in found],
                      next_cursor=found[-1].id if len(found) == limit else None)


@router.post("/breaches", response_model=BreachRead, status_code=201, dependencies=[require_roles(Role.INSURER)],
             summary="Record a breach no event shows (伴随服务, quality, bribery, price); the rating follows (MON-6)")
async def record_breach(body: BreachIn, session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> BreachRead:
    breach = await service.record(session, row=body.model_dump(), principal=principal, today=clock.today())
    return BreachRead.model_validate(breach)


@router.post("/breaches/{breach_id}/exemption", response_model=BreachRead, dependencies=[require_roles(Role.INSURER)],
             summary="Exempt a breach for force majeure (不可抗力); it stops counting towards the rating (MON-6)")
async def exempt_breach(breach_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], body: Exemption, session: SessionDep,
                        principal: PrincipalDep, clock: ClockDep) -> BreachRead:
    return BreachRead.model_validate(await service.exempt(session, breach_id=breach_id, reason=body.reason,
                                                          principal=principal, today=clock.today()))


@router.post("/breaches/{breach_id}/costs", response_model=CostRead, status_code=201,
             dependencies=[require_roles(Role.INSURER)],
             summary="Record a cost a hospital of your region proved against a breach (MON-13, seeds 003/004 承担所有费用): "
                     "reported against the company, not deducted")
async def record_cost(breach_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], body: CostIn, session: SessionDep,
                      principal: PrincipalDep, clock: ClockDep) -> CostRead:
    cost = await costs.record(session, breach_id=breach_id, request=body, principal=principal, today=clock.today())
    return CostRead(id=cost.id, breach_id=cost.breach_id, company_code=cost.company_code,
                    hospital_code=cost.hospital_code, amount=format_yuan(cost.amount_fen), what_for=cost.what_for,
                    evidence_ref=cost.evidence_ref, incurred_on=cost.incurred_on, recorded_by=cost.recorded_by,
                    recorded_at=cost.recorded_at)


@router.get("/breaches/{breach_id}/costs", response_model=CostList, dependencies=[READERS],
            summary="The costs recorded against a breach (MON-13); a company its own breaches', an insurer its "
                    "region's")
async def breach_costs(breach_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: SessionDep,
                       principal: PrincipalDep) -> CostList:
    return CostList(items=await costs.of_breach(session, breach_id=breach_id, principal=principal))
