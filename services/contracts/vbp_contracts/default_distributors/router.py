from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_contracts.default_distributors import service
from vbp_contracts.default_distributors.schemas import DefaultIn, DefaultList, DefaultRead

router = APIRouter(prefix="/default-distributors", tags=["default distributors (CON-8)"])


@router.put("", response_model=DefaultRead, dependencies=[require_roles(Role.COMPANY)],
            summary="A manufacturer names the distributor for a batch in a region, for hospitals ordering without "
                    "an agreement where the policy accepts them (CON-8)")
async def declare(body: DefaultIn, session: SessionDep, principal: PrincipalDep) -> DefaultRead:
    return await service.declare(session, request=body, principal=principal)


@router.get("", response_model=DefaultList, summary="The default distributors named (CON-8)")
async def default_distributors(session: SessionDep,
                               batch_code: Annotated[str | None, Query(max_length=64)] = None,
                               company_code: Annotated[str | None, Query(max_length=18)] = None) -> DefaultList:
    return await service.listing(session, batch_code=batch_code, company_code=company_code)
