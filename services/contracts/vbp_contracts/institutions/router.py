from fastapi import APIRouter
from pydantic import BaseModel
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep
from vbpkit.problems import Problem

from vbp_contracts.institutions.models import HospitalParty

router = APIRouter(prefix="/institutions", tags=["registry"])


class HospitalPartyRead(BaseModel):
    code: str
    name: str
    kind: str
    level: int


@router.get("/{code}", response_model=HospitalPartyRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> HospitalPartyRead:
    row = await session.get(HospitalParty, code)
    if row is None:
        raise Problem(404, detail=f"institution {code!r} is not known here (yet)")
    return HospitalPartyRead(code=row.code, name=row.name, kind=row.kind, level=row.level)
