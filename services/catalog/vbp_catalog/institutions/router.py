from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.bulk import BulkResult, BulkRows
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep, Role, require_roles
from vbpkit.pagination import cut
from vbpkit.problems import Problem

from vbp_catalog.institutions import repository, service
from vbp_catalog.institutions.schemas import InstitutionPage, InstitutionRead

router = APIRouter(prefix="/institutions", tags=["registry"])


@router.post(
    "",
    response_model=BulkResult,
    dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
    summary="Register or update institutions in bulk (CAT-9)",
    description="Up to 10,000 rows; invalid rows are reported with their index and field, "
    "valid rows are stored. Accepts `Idempotency-Key`.",
)
async def register_institutions(body: BulkRows, session: SessionDep) -> BulkResult:
    return await service.register_institutions(session, rows=body.rows)


@router.get("", response_model=InstitutionPage, summary="List institutions (cursor-paginated)")
async def list_institutions(
    session: SessionDep,
    principal: PrincipalDep,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    level: Annotated[int | None, Query(ge=1, le=3)] = None,
) -> InstitutionPage:
    rows = await repository.page(session, after=cursor, limit=limit + 1, region_code=region_code, level=level)
    rows, next_cursor = cut(rows, limit, lambda row: row.code)
    return InstitutionPage(items=[InstitutionRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/{code}", response_model=InstitutionRead, summary="Read one institution")
async def read_institution(code: str, session: SessionDep, principal: PrincipalDep) -> InstitutionRead:
    row = await repository.get(session, code)
    if row is None:
        raise Problem(404, detail=f"no institution with code {code!r}")
    return InstitutionRead.model_validate(row)
