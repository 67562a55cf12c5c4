from typing import Annotated

from fastapi import APIRouter, Path
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_settlement.direct_settlement import service
from vbp_settlement.direct_settlement.schemas import DirectSettlementPage, DirectSettlementRead, DirectSettlementSet

router = APIRouter(tags=["prepayments"])


def _read(row) -> DirectSettlementRead:
    return DirectSettlementRead(region_code=row.region_code, since_on=row.since_on, set_by=row.set_by)


@router.put("/direct-settlement-regions/{region_code}", response_model=DirectSettlementRead,
            dependencies=[require_roles(Role.INSURER)],
            summary="Record that the fund settles directly with companies in a region (SET-5); "
                    "a policy with direct settlement then prepays none of its hospitals (SET-3, seed 001)")
async def put_region(region_code: Annotated[str, Path(pattern=r"^\d{6}$")], body: DirectSettlementSet,
                     session: SessionDep, principal: PrincipalDep) -> DirectSettlementRead:
    return _read(await service.set_region(session, region_code=region_code, since_on=body.since_on,
                                          principal=principal))


@router.get("/direct-settlement-regions", response_model=DirectSettlementPage,
            summary="The regions where the fund settles directly (SET-5)")
async def list_regions(session: SessionDep, principal: PrincipalDep) -> DirectSettlementPage:
    return DirectSettlementPage(items=[_read(r) for r in await service.regions(session)])
