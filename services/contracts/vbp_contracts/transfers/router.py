from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_contracts.transfers import service
from vbp_contracts.transfers.schemas import TransferCreate, TransferPage, TransferRead, TransferResult

router = APIRouter(prefix="/transfers", tags=["transfers"])


@router.post("", status_code=201, response_model=TransferResult, dependencies=[require_roles(Role.INSURER)],
             summary="Move the remaining volume of a failing item to its designated backup (CON-7)")
async def transfer(body: TransferCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep) -> TransferResult:
    return TransferResult(transfers=await service.transfer(session, request=body, principal=principal,
                                                           today=clock.today()))


@router.get("", response_model=TransferPage, summary="Volume transfers you are party to (your region's, for an insurer)")
async def list_transfers(
    session: SessionDep, principal: PrincipalDep,
    hospital_code: Annotated[str | None, Query(max_length=64)] = None,
    company_code: Annotated[str | None, Query(max_length=18, description="as failing or backup manufacturer "
                                                                          "or distributor")] = None,
    batch_code: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TransferPage:
    items, next_cursor = await service.page(session, principal=principal, hospital_code=hospital_code,
                                            company_code=company_code, batch_code=batch_code, after=cursor,
                                            limit=limit)
    return TransferPage(items=items, next_cursor=next_cursor)


@router.get("/{transfer_id}", response_model=TransferRead, summary="A volume transfer with its explanation")
async def read_transfer(transfer_id: int, session: SessionDep, principal: PrincipalDep) -> TransferRead:
    return await service.read(session, transfer_id=transfer_id, principal=principal)
