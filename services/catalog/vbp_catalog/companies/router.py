from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response
from vbpkit.web.bulk_rows import BULK_RESPONSES, BulkResult, BulkRows, answered, rows_example
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.companies import service
from vbp_catalog.companies.schemas import CompanyPage, CompanyRead

router = APIRouter(prefix="/companies", tags=["registry"])


@router.post("", response_model=BulkResult, dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             responses=BULK_RESPONSES, summary="Register or update companies in bulk (CAT-9)",
             description="Up to 10,000 rows; the unified social credit code's check character is validated. "
                         "200 all stored, 207 some refused, 422 none stored.")
async def register_companies(body: Annotated[BulkRows, Body(openapi_examples=rows_example(
    "a manufacturer and a distributor",
    {"credit_code": "91500000MA5U0XK1AA", "name": "重庆某医疗器械有限公司", "roles": ["manufacturer"]},
    {"credit_code": "91500000MA5U7P3C0N", "name": "重庆某医药配送有限公司", "roles": ["distributor"]}))],
                             session: SessionDep, response: Response) -> BulkResult:
    return answered(response, await service.register_companies(session, rows=body.rows))


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
