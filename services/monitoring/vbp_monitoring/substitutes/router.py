from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from vbpkit.db.engine import SessionDep
from vbpkit.web.bulk_rows import BULK_RESPONSES, bulk_status
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_monitoring.substitutes import service
from vbp_monitoring.substitutes.schemas import NonWinningPush, PushResult, SharePage, ShareRow

router = APIRouter(tags=["substitutes"])


@router.post("/non-winning-purchases", response_model=PushResult, dependencies=[require_roles(Role.EXCHANGE)],
             responses=BULK_RESPONSES,
             summary="Push a month's purchases of non-winning products (≤ 10,000 rows, per-row errors) for MON-5; "
                     "200 all stored, 207 some refused, 422 none stored")
async def push(body: NonWinningPush, session: SessionDep, response: Response) -> PushResult:
    result = PushResult(**await service.push(session, body.rows))
    bulk_status(response, stored=result.stored, errors=result.errors)
    return result


@router.get("/substitutes", response_model=SharePage,
            summary="The share of non-winning products in each group's purchases, per hospital and month (MON-5)")
async def read_shares(session: SessionDep, principal: PrincipalDep, clock: ClockDep, as_of: date | None = None,
                      batch_code: Annotated[str | None, Query(max_length=64)] = None,
                      hospital_code: Annotated[str | None, Query(max_length=64)] = None) -> SharePage:
    rows = await service.visible_shares(session, principal=principal, until=as_of or clock.today(),
                                        batch_code=batch_code, hospital_code=hospital_code)
    return SharePage(items=[ShareRow(**{**r, "share": str(r["share"]), "previous_share": None
                                        if r["previous_share"] is None else str(r["previous_share"])}) for r in rows])
