from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_monitoring.supply_reports import service
from vbp_monitoring.supply_reports.schemas import AnswerIn, DecisionIn, ReportIn, ReportPage, ReportRead

router = APIRouter(tags=["supply reports (MON-13)"])
Id = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.post("/supply-reports", response_model=ReportRead, status_code=201,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="Report a supply problem (not delivered, late, accompanying service missing, quality) against "
                     "one of your orders or a line of it (MON-13, seeds 000/004 及时报告)")
async def file_report(body: ReportIn, session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> ReportRead:
    return ReportRead.model_validate(await service.file(session, request=body, principal=principal,
                                                        today=clock.today()))


@router.get("/supply-reports", response_model=ReportPage,
            summary="Supply problem reports: a hospital its own, a company those naming it, an insurer its region's "
                    "(MON-13)")
async def list_reports(session: SessionDep, principal: PrincipalDep,
                       hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                       company_code: Annotated[str | None, Query(max_length=18)] = None,
                       status: Literal["open", "confirmed", "dismissed"] | None = None,
                       cursor: Annotated[int, Query(ge=0, le=BIGINT_MAX)] = 0,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> ReportPage:
    found = await service.listing(session, principal=principal, filters={
        "hospital_code": hospital_code, "company_code": company_code, "status": status},
        after_id=cursor or None, limit=limit)
    return ReportPage(items=[ReportRead.model_validate(r) for r in found],
                      next_cursor=found[-1].id if len(found) == limit else None)


@router.post("/supply-reports/{report_id}/answer", response_model=ReportRead,
             dependencies=[require_roles(Role.COMPANY)],
             summary="The company a supply report names answers it, once, while it is open (MON-13)")
async def answer_report(report_id: Id, body: AnswerIn, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep) -> ReportRead:
    return ReportRead.model_validate(await service.answer(session, report_id=report_id, request=body,
                                                          principal=principal, now=clock.now()))


@router.post("/supply-reports/{report_id}/decision", response_model=ReportRead,
             dependencies=[require_roles(Role.INSURER)],
             summary="Confirm a supply report into a MON-6 breach of the severity you give, or dismiss it with the "
                     "reason (the insurer of the hospital's region; MON-13)")
async def decide_report(report_id: Id, body: DecisionIn, session: SessionDep, principal: PrincipalDep,
                        clock: ClockDep) -> ReportRead:
    return ReportRead.model_validate(await service.decide(session, report_id=report_id, request=body,
                                                          principal=principal, today=clock.today(),
                                                          now=clock.now()))
