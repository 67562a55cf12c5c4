from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_monitoring.shortages import service
from vbp_monitoring.shortages.schemas import EscalationIn, ResolutionIn, ShortageIn, ShortagePage, ShortageRead

router = APIRouter(tags=["shortages (MON-12)"])
Id = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.post("/shortages", response_model=ShortageRead, status_code=201,
             dependencies=[require_roles(Role.HOSPITAL, Role.INSURER)],
             summary="Report a product short in your region: since when and by how much (MON-12, seed 004 逐级上报)")
async def report_shortage(body: ShortageIn, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> ShortageRead:
    return ShortageRead.model_validate(await service.report(session, request=body, principal=principal,
                                                            today=clock.today()))


@router.get("/shortages", response_model=ShortagePage,
            summary="Shortages: a hospital its own reports, a manufacturer those of its products, an insurer its "
                    "region's (MON-12)")
async def list_shortages(session: SessionDep, principal: PrincipalDep,
                         hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                         company_code: Annotated[str | None, Query(max_length=18)] = None,
                         status: Literal["open", "resolved"] | None = None,
                         cursor: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
                         limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ShortagePage:
    found = await service.listing(session, principal=principal, filters={
        "hospital_code": hospital_code, "company_code": company_code, "status": status},
        after_id=cursor or None, limit=limit)
    return ShortagePage(items=[ShortageRead.model_validate(s) for s in found],
                        next_cursor=found[-1].id if len(found) == limit else None)


@router.get("/shortages/{shortage_id}", response_model=ShortageRead, summary="A shortage with its escalations")
async def read_shortage(shortage_id: Id, session: SessionDep, principal: PrincipalDep) -> ShortageRead:
    return ShortageRead.model_validate(await service.read(session, shortage_id=shortage_id, principal=principal))


@router.post("/shortages/{shortage_id}/escalation", response_model=ShortageRead,
             dependencies=[require_roles(Role.INSURER)],
             summary="Pass a shortage your region cannot solve to the insurer of the parent region (MON-12)")
async def escalate_shortage(shortage_id: Id, body: EscalationIn, session: SessionDep, principal: PrincipalDep,
                            clock: ClockDep) -> ShortageRead:
    return ShortageRead.model_validate(await service.escalate(session, shortage_id=shortage_id, request=body,
                                                              principal=principal, today=clock.today()))


@router.post("/shortages/{shortage_id}/resolution", response_model=ShortageRead,
             dependencies=[require_roles(Role.INSURER)],
             summary="Resolve a shortage your region handles, with what was done: backup, transfer, restored, other "
                     "(MON-12)")
async def resolve_shortage(shortage_id: Id, body: ResolutionIn, session: SessionDep, principal: PrincipalDep,
                           clock: ClockDep) -> ShortageRead:
    return ShortageRead.model_validate(await service.resolve(session, shortage_id=shortage_id, request=body,
                                                             principal=principal, today=clock.today()))
