from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from vbpkit.web.bulk_rows import BULK_RESPONSES, BulkResult, BulkRows, answered, rows_example
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.institutions import service
from vbp_catalog.institutions.schemas import InstitutionPage, InstitutionRead

router = APIRouter(prefix="/institutions", tags=["registry"])


@router.post(
    "",
    response_model=BulkResult,
    responses=BULK_RESPONSES,
    dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
    summary="Register or update institutions in bulk (CAT-9)",
    description="Up to 10,000 rows; refused rows are reported by number (from 1) and field, "
    "the others stored: 200 all stored, 207 some refused, 422 none stored. Accepts `Idempotency-Key`.",
)
async def register_institutions(body: Annotated[BulkRows, Body(openapi_examples=rows_example(
    "two hospitals", {"code": "H500101001", "name": "重庆医科大学附属第一医院", "level": 3, "kind": "public",
                      "region_code": "500103"},
    {"code": "H500101003", "name": "重庆市渝中区人民医院", "level": 2, "kind": "public", "region_code": "500103"}))],
                                 session: SessionDep, response: Response) -> BulkResult:
    return answered(response, await service.register_institutions(session, rows=body.rows))


@router.get("", response_model=InstitutionPage, summary="List institutions (cursor-paginated)")
async def list_institutions(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
) -> InstitutionPage:
    return await service.page(session, cursor=cursor, limit=limit, region_code=region_code, level=level)


@router.get("/{code}", response_model=InstitutionRead, summary="Read one institution")
async def read_institution(code: str, session: SessionDep, principal: PrincipalDep) -> InstitutionRead:
    return await service.read(session, code=code)
