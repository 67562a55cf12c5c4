from typing import Annotated

from fastapi import APIRouter, Path
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import Role, require_roles
from vbpkit.runtime.service_app import ClockDep

from vbp_catalog.pre_listing import service
from vbp_catalog.pre_listing.schemas import CheckResult, PreListing

router = APIRouter(tags=["pre-listing (CAT-12)"])


@router.get("/batches/{code}/pre-listing", response_model=PreListing,
            summary="The batch's pre-listing deadline with its working-day count, and whether each winning product "
                    "was on the platform by it (CAT-12)")
async def read_pre_listing(code: Annotated[str, Path(min_length=1, max_length=64)],
                           session: SessionDep) -> PreListing:
    return await service.read(session, batch_code=code)


@router.post("/pre-listings/checks", response_model=CheckResult, dependencies=[require_roles(Role.INSURER)],
             summary="Run the daily CAT-12 check now: list pre-listed products of started batches, apply the national "
                     "lowest prices whose day came, alert products not pre-listed by the deadline")
async def run_check(session: SessionDep, clock: ClockDep) -> CheckResult:
    return await service.run_daily_check(session, today=clock.today())
