from typing import Annotated

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep

from vbp_monitoring.coverage import service
from vbp_monitoring.coverage.schemas import CoverageRead

router = APIRouter(tags=["coverage and signing (MON-15)"])


@router.get("/coverage", response_model=CoverageRead,
            summary="Public and military institutions without agreed volumes or an effective agreement, per batch, "
                    "year and region (MON-15)")
async def read_coverage(session: SessionDep, principal: PrincipalDep,
                        batch_code: Annotated[str, Query(min_length=1, max_length=64)],
                        year: Annotated[int, Query(ge=1, le=50)] = 1,
                        region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None) -> CoverageRead:
    return CoverageRead(**await service.coverage(session, principal=principal, batch_code=batch_code, year=year,
                                                 region_code=region_code))
