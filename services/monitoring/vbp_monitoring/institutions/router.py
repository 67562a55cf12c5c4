from fastapi import APIRouter
from pydantic import BaseModel
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep
from vbpkit.projections.registry import repository as registry

router = APIRouter(prefix="/institutions", tags=["registry"])


class MonitoredHospitalRead(BaseModel):
    code: str
    name: str
    level: int
    region_code: str | None


@router.get("/{code}", response_model=MonitoredHospitalRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> MonitoredHospitalRead:
    row = await registry.institution_or_404(session, code)
    return MonitoredHospitalRead(code=row.code, name=row.name, level=row.level, region_code=row.region_code)
