from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from vbpkit.web.problems import invalid_field

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class GroupWrite(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Code
    name: str = Field(min_length=1, max_length=200)


# CAT-1: a procurement cycle runs in this century; a batch "starting" in year 1 or ending in
# 9999 is a typo, and a cycle computed from it would overflow the calendar (issue 11).
BatchDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]


class BatchCreate(BaseModel):
    """CAT-1: a batch, its cycle and its execution policy (a preset plus overrides)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Code = Field(examples=["LM-HCDL-2024-1"])
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["drug", "consumable"]
    organiser_level: Literal["national", "alliance", "provincial", "prefecture"]
    document_no: str = Field(min_length=1, max_length=100, examples=["渝医保办〔2025〕32号"])
    starts_on: BatchDate = Field(description="execution start (中选结果执行日), 2000-01-01 … 2099-12-31")
    cycle_years: int | None = Field(default=None, ge=1, le=10, description="a cycle of whole years …")
    ends_on: BatchDate | None = Field(default=None, description="… or a fixed last day (seed 002: 2025-12-31)")
    preset: str = Field(examples=["chongqing-2025"], description="chongqing-2025 | chongqing-stent-2023 | "
                        "liaoning-2025 | chuxiong-2022")
    policy_overrides: dict[str, Any] = Field(default_factory=dict, description="fields of the policy to change")
    groups: list[GroupWrite] = Field(default_factory=list, description="组别 (CAT-2)")

    @model_validator(mode="after")
    def _one_cycle(self):
        if (self.cycle_years is None) == (self.ends_on is None):
            raise invalid_field("cycle_years", "give either cycle_years or ends_on")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise invalid_field("ends_on", "ends_on is before starts_on")
        if len({g.code for g in self.groups}) != len(self.groups):
            raise invalid_field("groups", "group codes repeat")
        return self


class BatchExtension(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ends_on: BatchDate = Field(description="the new last day; later than the current one (seed 000)")
    document_no: str = Field(min_length=1, max_length=100)


class BatchEarlyEnd(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ended_on: BatchDate = Field(description="last day the batch's results apply")
    cause: Literal["national_vbp"] = Field(
        description="seed 000: results run until the national VBP results are implemented")
    document_no: str = Field(min_length=1, max_length=100)


class GroupRead(BaseModel):
    code: str
    name: str


class BatchRead(BaseModel):
    code: str
    name: str
    kind: str
    organiser_level: str
    document_no: str
    starts_on: date
    cycle_years: int | None
    ends_on: date
    planned_ends_on: date
    ended_early_on: date | None
    end_reason: str | None
    policy: dict[str, Any]
    groups: list[GroupRead]
    explain: dict[str, Any]
    updated_at: datetime


class BatchPage(BaseModel):
    items: list[BatchRead]
    next_cursor: str | None
