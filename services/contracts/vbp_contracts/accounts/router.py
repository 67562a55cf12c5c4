from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_contracts.accounts import service
from vbp_contracts.accounts.schemas import AccountPage, AccountRead, OpeningIn, RequestIn

router = APIRouter(prefix="/account-openings", tags=["account openings (CON-10)"])


@router.post("", status_code=201, response_model=AccountRead, dependencies=[require_roles(Role.COMPANY)],
             summary="A designated distributor records that it asked the hospital to open its account (CON-10)")
async def request_account(body: RequestIn, session: SessionDep, principal: PrincipalDep,
                          clock: ClockDep) -> AccountRead:
    return AccountRead.model_validate(await service.request(session, body=body, principal=principal,
                                                            today=clock.today()))


@router.get("", response_model=AccountPage, summary="Account openings: a hospital's, a distributor's, or all")
async def list_accounts(session: SessionDep, principal: PrincipalDep,
                        hospital_code: Annotated[str | None, Query(max_length=64)] = None,
                        company_code: Annotated[str | None, Query(max_length=18)] = None,
                        cursor: Annotated[int | None, Query(ge=0)] = None,
                        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> AccountPage:
    rows, next_cursor = await service.page(session, principal=principal, hospital_code=hospital_code,
                                           company_code=company_code, after=cursor, limit=limit)
    return AccountPage(items=[AccountRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/{request_id}", response_model=AccountRead, summary="An account opening")
async def read_account(request_id: int, session: SessionDep, principal: PrincipalDep) -> AccountRead:
    return AccountRead.model_validate(await service.read(session, request_id=request_id, principal=principal))


@router.post("/{request_id}/opening", response_model=AccountRead, dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital records that it opened the distributor's account (CON-10)")
async def open_account(request_id: int, body: OpeningIn, session: SessionDep, principal: PrincipalDep,
                       clock: ClockDep) -> AccountRead:
    return AccountRead.model_validate(await service.open_account(session, request_id=request_id, body=body,
                                                                 principal=principal, today=clock.today()))
