from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen
from vbpkit.web.downloads import Column


class ProgressRow(BaseModel):
    """One item's (or one roll-up's) progress as of a date (MON-1)."""

    key: dict[str, Any] = Field(description="what the row is: the item, or the hospital/company/batch/region, "
                                            "with the registered names beside the codes")
    agreed_quantity: int
    assessed_quantity: int = Field(description="agreed, pro rata to an early end of the batch")
    accepted_quantity: int = Field(description="accepted to as_of, net of returns")
    agreed_amount: YuanFromFen
    assessed_amount: YuanFromFen
    accepted_amount: YuanFromFen
    completion: str = Field(description="accepted amount ÷ assessed agreed amount, 4 places")
    target: str = Field(description="序时进度: elapsed days ÷ days in the agreement year, 4 places")
    tolerance_points: int
    behind: bool
    explain: dict[str, Any]

    @classmethod
    def of(cls, line) -> ProgressRow:
        return cls(key=line.key, agreed_quantity=line.agreed_quantity, assessed_quantity=line.assessed_quantity,
                   accepted_quantity=line.accepted_quantity, agreed_amount=line.agreed_fen,
                   assessed_amount=line.assessed_fen, accepted_amount=line.accepted_fen,
                   completion=str(line.completion), target=str(line.target), tolerance_points=line.tolerance_points,
                   behind=line.behind, explain=line.explain)


class ProgressPage(BaseModel):
    as_of: date
    group_by: str
    items: list[ProgressRow]
    next_cursor: int | None = Field(default=None, description="pass as `cursor` for the next page")


HOSPITAL = [Column("hospital_code", "医疗机构编码"), Column("hospital_name", "医疗机构名称")]
COMPANY = [Column("company_code", "生产企业统一社会信用代码"), Column("company_name", "生产企业名称")]
KEY_COLUMNS = {
    "item": [Column("batch_code", "批次编码"), Column("agreement_year", "协议年度", "number"), *HOSPITAL, *COMPANY,
             Column("product_id", "产品ID", "number")],
    "company_group": [Column("batch_code", "批次编码"), Column("agreement_year", "协议年度", "number"), *HOSPITAL,
                      *COMPANY, Column("group_code", "组别")],
    "hospital": HOSPITAL,
    "company": COMPANY,
    "batch": [Column("batch_code", "批次编码")],
    "region": [Column("region_code", "行政区划代码")],
}
FIGURE_COLUMNS = [
    Column("agreed_quantity", "约定采购量", "number"), Column("assessed_quantity", "考核约定量", "number"),
    Column("accepted_quantity", "验收数量(扣除退货)", "number"), Column("agreed_amount", "约定采购金额(元)", "money"),
    Column("assessed_amount", "考核约定金额(元)", "money"), Column("accepted_amount", "验收金额(元)", "money"),
    Column("completion", "完成率", "rate"), Column("target", "序时进度", "rate"),
    Column("tolerance_points", "容差(百分点)", "number"), Column("behind", "进度滞后"),
]


def progress_columns(group_by: str) -> list[Column]:
    """The download's columns: what the row is, then its figures (issue 23)."""
    return [*KEY_COLUMNS[group_by], *FIGURE_COLUMNS]
