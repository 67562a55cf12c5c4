from fastapi import APIRouter
from vbpkit.db.engine import SessionDep
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles

from vbp_catalog.service_regions import service
from vbp_catalog.service_regions.schemas import ServiceRegionsIn, ServiceRegionsRead

router = APIRouter(prefix="/companies", tags=["service regions (CAT-15)"])


@router.put("/{credit_code}/service-regions", response_model=ServiceRegionsRead,
            dependencies=[require_roles(Role.COMPANY, Role.ADMIN)],
            summary="A distributor declares the regions it serves and where it gives accompanying service (CAT-15)")
async def declare(credit_code: str, body: ServiceRegionsIn, session: SessionDep, principal: PrincipalDep,
                  clock: ClockDep) -> ServiceRegionsRead:
    return await service.declare(session, credit_code=credit_code, request=body, principal=principal,
                                 today=clock.today())


@router.get("/{credit_code}/service-regions", response_model=ServiceRegionsRead,
            summary="The regions a distributor serves (CAT-15)")
async def read(credit_code: str, session: SessionDep) -> ServiceRegionsRead:
    return await service.read(session, credit_code=credit_code)
