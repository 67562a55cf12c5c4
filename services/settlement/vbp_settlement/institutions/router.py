from fastapi import APIRouter
from pydantic import BaseModel, Field
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep
from vbpkit.projections.registry import repository as registry

router = APIRouter(prefix="/institutions", tags=["registry"])


class FundedHospitalRead(BaseModel):
    code: str
    name: str
    level: int
    fund: str = Field(description="employee (职工医保) for level ≥ 2, else resident (居民医保) — SET-3")


@router.get("/{code}", response_model=FundedHospitalRead, summary="This service's view of a registered institution")
async def read_hospital(code: str, session: SessionDep, principal: PrincipalDep) -> FundedHospitalRead:
    row = await registry.institution_or_404(session, code)
    return FundedHospitalRead(code=row.code, name=row.name, level=row.level, fund=row.fund)
