from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_monitoring.obstructions import service
from vbp_monitoring.obstructions.schemas import ComplaintIn, ComplaintPage, ComplaintRead, FindingIn

router = APIRouter(tags=["obstruction complaints (MON-14)"])
Id = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.post("/obstructions", response_model=ComplaintRead, status_code=201, dependencies=[require_roles(Role.COMPANY)],
             summary="Report a hospital's obstruction of winning products, as a party to an agreement with it "
                     "(MON-14, seeds 001/003/004)")
async def report_obstruction(body: ComplaintIn, session: SessionDep, principal: PrincipalDep,
                             clock: ClockDep) -> ComplaintRead:
    return ComplaintRead.model_validate(await service.report(session, request=body, principal=principal,
                                                             today=clock.today()))


@router.get("/obstructions", response_model=ComplaintPage,
            summary="Obstruction complaints: a company its own, a hospital those about it, an insurer its region's")
async def list_obstructions(session: SessionDep, principal: PrincipalDep,
                            hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                            company_code: Annotated[str | None, Query(max_length=18)] = None,
                            status: Literal["open", "substantiated", "unsubstantiated"] | None = None,
                            cursor: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
                            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ComplaintPage:
    found = await service.listing(session, principal=principal, filters={
        "hospital_code": hospital_code, "company_code": company_code, "status": status},
        after_id=cursor or None, limit=limit)
    return ComplaintPage(items=[ComplaintRead.model_validate(c) for c in found],
                         next_cursor=found[-1].id if len(found) == limit else None)


@router.get("/obstructions/{complaint_id}", response_model=ComplaintRead, summary="An obstruction complaint")
async def read_obstruction(complaint_id: Id, session: SessionDep, principal: PrincipalDep) -> ComplaintRead:
    return ComplaintRead.model_validate(await service.read(session, complaint_id=complaint_id, principal=principal))


@router.post("/obstructions/{complaint_id}/finding", response_model=ComplaintRead,
             dependencies=[require_roles(Role.INSURER)],
             summary="Find an obstruction complaint substantiated or not (the insurer of the hospital's region)")
async def find_obstruction(complaint_id: Id, body: FindingIn, session: SessionDep, principal: PrincipalDep,
                           clock: ClockDep) -> ComplaintRead:
    return ComplaintRead.model_validate(await service.find(session, complaint_id=complaint_id, request=body,
                                                           principal=principal, today=clock.today()))
