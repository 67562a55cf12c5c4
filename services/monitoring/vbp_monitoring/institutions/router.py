from fastapi import APIRouter
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.projections.registry import repository as registry

from vbp_monitoring.institutions.schemas import MonitoredHospitalRead

router = APIRouter(prefix="/institutions", tags=["registry"])


@router.get("/{code}", response_model=MonitoredHospitalRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> MonitoredHospitalRead:
    return MonitoredHospitalRead.model_validate(await registry.institution_or_404(session, code))
