from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from vbp_catalog.uscc import InvalidUSCC, check_uscc


def _credit_code(value: str) -> str:
    try:
        return check_uscc(value)
    except InvalidUSCC as exc:
        raise ValueError(exc.reason) from None


CreditCode = Annotated[
    str,
    AfterValidator(_credit_code),
    Field(description="统一社会信用代码: 18 characters, check character per GB 32100-2015",
          examples=["91350100M000100Y43"]),
]


class CompanyWrite(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    credit_code: CreditCode
    name: str = Field(min_length=1, max_length=200)
    roles: list[Literal["manufacturer", "distributor"]] = Field(min_length=1)


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    credit_code: str
    name: str
    roles: list[str]
    updated_at: datetime


class CompanyPage(BaseModel):
    items: list[CompanyRead]
    next_cursor: str | None
