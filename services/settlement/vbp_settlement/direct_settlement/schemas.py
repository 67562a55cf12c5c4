from datetime import date

from pydantic import BaseModel, ConfigDict


class DirectSettlementSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since_on: date


class DirectSettlementRead(BaseModel):
    region_code: str
    since_on: date
    set_by: str


class DirectSettlementPage(BaseModel):
    items: list[DirectSettlementRead]
