from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.db.limits import BIGINT_MAX, INTEGER_MAX
from vbpkit.domain.policy.rules import Severity

Kind = Literal["not_delivered", "late", "accompanying_service_missing", "quality"]


class ReportIn(BaseModel):
    """A hospital reports a problem with a supply against one of its orders (MON-13)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    order_id: int = Field(ge=1, le=BIGINT_MAX)
    line_no: int | None = Field(default=None, ge=1, le=INTEGER_MAX, description="one line; none: the whole order")
    kind: Kind
    company_code: str | None = Field(default=None, min_length=18, max_length=18, description=(
        "the company the report names: the line's manufacturer or distributor; default the distributor, or the "
        "manufacturer for quality"))
    occurred_on: date
    description: str = Field(min_length=1, max_length=2000, examples=["跟台人员未到场，手术延期"])


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    """The insurer confirms a report into a MON-6 breach (with its severity) or dismisses it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["confirm", "dismiss"]
    severity: Severity | None = Field(default=None, description="required to confirm: the breach's severity")
    reason: str = Field(min_length=1, max_length=2000)


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hospital_code: str
    region_code: str | None
    company_code: str
    batch_code: str
    order_id: int
    line_no: int | None
    kind: str
    occurred_on: date
    description: str
    status: Literal["open", "confirmed", "dismissed"]
    reported_by: str
    reported_at: datetime
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    breach_id: int | None = Field(description="the MON-6 breach a confirmed report became")


class ReportPage(BaseModel):
    items: list[ReportRead]
    next_cursor: int | None
