from fastapi import APIRouter
from pydantic import BaseModel
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep
from vbpkit.problems import Problem

from vbp_monitoring.institutions.models import MonitoredHospital

router = APIRouter(prefix="/institutions", tags=["registry"])


class MonitoredHospitalRead(BaseModel):
    code: str
    name: str
    level: int
    region_code: str


@router.get("/{code}", response_model=MonitoredHospitalRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> MonitoredHospitalRead:
    row = await session.get(MonitoredHospital, code)
    if row is None:
        raise Problem(404, detail=f"institution {code!r} is not known here (yet)")
    return MonitoredHospitalRead(code=row.code, name=row.name, level=row.level, region_code=row.region_code)
