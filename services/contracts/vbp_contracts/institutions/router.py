from fastapi import APIRouter
from pydantic import BaseModel
from vbpkit.db.engine import SessionDep
from vbpkit.web.identity import PrincipalDep
from vbpkit.projections.registry import repository as registry

router = APIRouter(prefix="/institutions", tags=["registry"])


class HospitalPartyRead(BaseModel):
    code: str
    name: str
    kind: str | None
    level: int


@router.get("/{code}", response_model=HospitalPartyRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> HospitalPartyRead:
    row = await registry.institution_or_404(session, code)
    return HospitalPartyRead(code=row.code, name=row.name, kind=row.kind, level=row.level)
