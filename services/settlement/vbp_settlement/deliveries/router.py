from typing import Annotated

from fastapi import APIRouter, Path
from vbpkit.db.engine import SessionDep
from vbpkit.db.limits import BIGINT_MAX
from vbpkit.web.identity import PrincipalDep

from vbp_settlement.deliveries import service
from vbp_settlement.deliveries.schemas import BillableLineRead

router = APIRouter(tags=["invoices"])


@router.get("/deliveries/{delivery_id}/lines", response_model=list[BillableLineRead],
            summary="An accepted delivery's lines as settlement knows them: accepted, returned, invoiced, billable (SET-1)")
async def read_billable_lines(delivery_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: SessionDep, principal: PrincipalDep) -> list[BillableLineRead]:
    return [BillableLineRead.of(l) for l in await service.billable_lines(session, delivery_id=delivery_id,
                                                                          principal=principal)]
