from fastapi import APIRouter
from pydantic import BaseModel
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep

from vbp_contracts.institutions import service

router = APIRouter(prefix="/institutions", tags=["registry"])


class HospitalPartyRead(BaseModel):
    code: str
    name: str
    kind: str
    level: int


@router.get("/{code}", response_model=HospitalPartyRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> HospitalPartyRead:
    row = await service.hospital_party(session, code=code)
    return HospitalPartyRead(code=row.code, name=row.name, kind=row.kind, level=row.level)
