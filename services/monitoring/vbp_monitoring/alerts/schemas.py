from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.web.downloads import Column


class AlertRead(BaseModel):
    id: int
    kind: str
    rule: str
    period: str = Field(description="the month (YYYY-MM) the facts of the alert belong to: the month checked "
                                    "(behind, overdue_invoices, prepayment_use), bought in (stockpiling, substitutes) "
                                    "or due (late_tranche, late_fund_payment, onboarding, pre_listing)")
    batch_code: str
    hospital_code: str
    hospital_name: str | None = Field(default=None, description="the registered name of `hospital_code`")
    company_code: str | None
    company_name: str | None = Field(default=None, description="the registered name of `company_code`")
    product_id: int | None
    group_code: str | None
    subject: str | None = Field(default=None, description="what else the alert is about: the lot held (lot_hold)")
    region_code: str | None
    status: str = Field(description="open | acknowledged | resolved")
    raised_on: date
    details: dict[str, Any] = Field(description="the alert's explain: rule, preset, inputs")
    note: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_on: date | None

    @classmethod
    def of(cls, a, names: dict[str, str] | None = None) -> AlertRead:
        names = names or {}
        return cls(id=a.id, kind=a.kind, rule=a.rule, period=a.period, batch_code=a.batch_code,
                   hospital_code=a.hospital_code, hospital_name=names.get(a.hospital_code),
                   company_code=a.company_code or None, company_name=names.get(a.company_code),
                   product_id=a.product_id or None,
                   group_code=a.group_code or None, subject=a.subject or None,
                   region_code=a.region_code, status=a.status, raised_on=a.raised_on, details=a.details, note=a.note,
                   acknowledged_by=a.acknowledged_by, acknowledged_at=a.acknowledged_at, resolved_on=a.resolved_on)


class AlertPage(BaseModel):
    items: list[AlertRead]
    next_cursor: int | None = Field(default=None, description="pass as `cursor` for the next page")


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=1000)


class AlertCheck(BaseModel):
    checked_on: date
    alerts_raised: list[int]


ALERT_COLUMNS = [
    Column("id", "预警编号", "number"), Column("kind", "类型"), Column("rule", "规则"), Column("period", "期间"),
    Column("batch_code", "批次编码"), Column("hospital_code", "医疗机构编码"), Column("hospital_name", "医疗机构名称"),
    Column("company_code", "企业统一社会信用代码"), Column("company_name", "企业名称"),
    Column("product_id", "产品ID", "number"),
    Column("group_code", "分组编码"), Column("region_code", "行政区划代码"), Column("status", "状态"),
    Column("raised_on", "预警日期", "date"), Column("note", "处理说明"), Column("acknowledged_by", "确认人"),
    Column("acknowledged_at", "确认时间", "date"), Column("resolved_on", "解除日期", "date"),
]
