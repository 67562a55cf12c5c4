from typing import Annotated

from fastapi import APIRouter, Query, Response
from vbpkit.web.bulk_rows import BULK_RESPONSES, BulkResult, BulkRows, answered
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_contracts.volumes import service
from vbp_contracts.volumes.schemas import VolumePage, VolumeRead

router = APIRouter(prefix="/agreed-volumes", tags=["agreed volumes"])


@router.post("", response_model=BulkResult, dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             responses=BULK_RESPONSES, summary="Load agreed volumes in bulk (CON-1), up to 10,000 rows",
             description="Unknown hospitals, batches and products are refused by name, row by row (numbered "
                         "from 1): 200 all stored, 207 some refused, 422 none stored.")
async def set_volumes(body: BulkRows, session: SessionDep, principal: PrincipalDep, response: Response) -> BulkResult:
    return answered(response, await service.set_volumes(session, rows=body.rows, by=principal.actor))


@router.get("", response_model=VolumePage, summary="Agreed volumes; a hospital sees its own")
async def list_volumes(
    session: SessionDep, principal: PrincipalDep,
    batch: Annotated[str | None, Query()] = None,
    agreement_year: Annotated[int | None, Query(ge=1, le=50)] = None,
    hospital: Annotated[str | None, Query()] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> VolumePage:
    rows, next_cursor = await service.page(session, principal, batch_code=batch, agreement_year=agreement_year,
                                           hospital_code=hospital, cursor=cursor, limit=limit)
    return VolumePage(
        items=[VolumeRead(batch_code=r.batch_code, agreement_year=r.agreement_year, hospital_code=r.hospital_code,
                          product_id=r.product_id, quantity=r.quantity) for r in rows],
        next_cursor=next_cursor,
    )
