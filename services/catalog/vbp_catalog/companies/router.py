from typing import Annotated, Literal

from fastapi import APIRouter, Query
from vbpkit.web.bulk_rows import BulkResult, BulkRows
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.companies import service
from vbp_catalog.companies.schemas import CompanyPage, CompanyRead

router = APIRouter(prefix="/companies", tags=["registry"])


@router.post("", response_model=BulkResult, dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             summary="Register or update companies in bulk (CAT-9)",
             description="Up to 10,000 rows; the unified social credit code's check character is validated.")
async def register_companies(body: BulkRows, session: SessionDep) -> BulkResult:
    return await service.register_companies(session, rows=body.rows)


@router.get("", response_model=CompanyPage, summary="List companies (cursor-paginated)")
async def list_companies(
    session: SessionDep, principal: PrincipalDep,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    role: Annotated[Literal["manufacturer", "distributor"] | None, Query()] = None,
) -> CompanyPage:
    return await service.page(session, cursor=cursor, limit=limit, role=role)


@router.get("/{credit_code}", response_model=CompanyRead, summary="Read one company")
async def read_company(credit_code: str, session: SessionDep, principal: PrincipalDep) -> CompanyRead:
    return await service.read(session, credit_code=credit_code)
