from pydantic import BaseModel, ConfigDict, Field


class FundedHospitalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: int
    fund: str = Field(description="employee (职工医保) for level ≥ 2, else resident (居民医保) — SET-3")
