from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from vbpkit.domain import regions


def _current_region(code: str) -> str:
    """CAT-9: a region code must name a current administrative division (GB/T 2260, as
    vbpkit.domain.regions knows them), so that monitoring can name and roll up every region."""
    if not regions.is_known(code):
        raise ValueError("unknown administrative division code")
    return code


RegionCode = Annotated[
    str,
    Field(pattern=r"^\d{6}$", description="GB/T 2260 six-digit code of a current administrative division",
          examples=["500103"]),
    AfterValidator(_current_region),
]
InstitutionCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class InstitutionWrite(BaseModel):
    """One registry row as the exchange or the bureau sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: InstitutionCode = Field(description="the institution's code in the bureau's registry", examples=["H500101001"])
    name: str = Field(min_length=1, max_length=200, examples=["重庆医科大学附属第一医院"])
    level: Literal[1, 2, 3] = Field(description="hospital level (级别); level ≥ 2 draws on the employee fund (SET-3)")
    kind: Literal["public", "military", "private", "retail_pharmacy"]
    region_code: RegionCode


class InstitutionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: int
    kind: str
    region_code: str
    updated_at: datetime


class InstitutionPage(BaseModel):
    items: list[InstitutionRead]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")
