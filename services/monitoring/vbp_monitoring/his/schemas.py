from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.web.bulk_rows import RowError
from vbpkit.web.downloads import Column

from vbp_monitoring.his.national import INTERFACES


class HisDeleteResult(BaseModel):
    received: int
    deleted: int = Field(description="keys deleted (one key may hold a purchase and its return)")
    errors: list[RowError]


class MappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int = Field(ge=1, le=2**63 - 1)
    his_units_per_unit: Decimal = Field(
        default=Decimal(1), gt=0, max_digits=12, decimal_places=4,
        description="how many HIS units (the smallest pricing unit the HIS counts in, e.g. 片) make one catalog "
                    "unit (e.g. 盒 of 24 → \"24\"); a decimal string")
    note: str | None = Field(default=None, max_length=500)


class MappingOut(BaseModel):
    med_list_codg: str
    product_id: int
    his_units_per_unit: str
    note: str | None
    set_by: str
    set_at: datetime

    @classmethod
    def of(cls, mapping) -> MappingOut:
        return cls(med_list_codg=mapping.med_list_codg, product_id=mapping.product_id,
                   his_units_per_unit=format(mapping.his_units_per_unit.normalize(), "f"), note=mapping.note,
                   set_by=mapping.set_by, set_at=mapping.set_at)


class MappingPage(BaseModel):
    items: list[MappingOut]


class UnmappedRow(BaseModel):
    hospital_code: str
    med_list_codg: str
    data_type: str
    rows: int
    quantity: str = Field(description="in HIS units")
    first_month: str
    last_month: str
    why: str


class UnmappedPage(BaseModel):
    items: list[UnmappedRow]


class OffPlatformRow(BaseModel):
    hospital_code: str
    hospital_name: str | None
    region_code: str | None
    batch_code: str
    product_id: int
    product_name: str
    month: str
    his_purchased: str = Field(description="HIS purchases (3503) stocked in in the month, catalog units")
    his_returned: str = Field(description="HIS purchase returns (3504), catalog units")
    his_net: str
    platform_accepted: int
    platform_returned: int
    platform_net: str
    matched_across_month_end: str
    off_platform: str = Field(description="max(0, HIS net − platform net − matched across the month's end)")
    off_platform_share: str | None = Field(description="off-platform ÷ HIS net, 4 places; null when HIS net ≤ 0")
    platform_surplus: str = Field(description="accepted on the platform beyond the HIS's stock-in (never an alert)")
    alert: bool = Field(description="off-platform above the policy's off_platform_alert_share of HIS net")
    highest_his_price: str | None = Field(description="yuan per catalog unit, the month's highest HIS purchase price")
    agreed_price: str | None = Field(description="yuan, the highest unit price of the hospital's agreements")
    price_above_agreed: bool
    designated_distributor: str | None
    other_suppliers: list[str] = Field(description="suppliers named on the HIS purchases other than the designated "
                                                   "distributor (shown, not alerted)")
    explain: dict[str, Any]


class OffPlatformPage(BaseModel):
    month: str
    items: list[OffPlatformRow]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page (whole hospitals a page); "
                                                "null on the last")


class UploadStatusRow(BaseModel):
    hospital_code: str
    hospital_name: str | None
    region_code: str | None
    month: str
    due_on: str
    status: Literal["on_time", "late", "missing", "not_due"]
    first_received_on: str | None
    last_received_on: str | None
    rows: dict[str, int] = Field(description="rows received per data type (purchase, sale, …) dated in the month")
    batches_in_force: list[str]
    explain: dict[str, Any]


class UploadStatusPage(BaseModel):
    month: str
    items: list[UploadStatusRow]


HOSPITAL = [Column("hospital_code", "医疗机构编码"), Column("hospital_name", "医疗机构名称"),
            Column("region_code", "行政区划代码")]
OFF_PLATFORM_COLUMNS = [
    *HOSPITAL, Column("month", "月份"), Column("batch_code", "批次编码"), Column("product_id", "产品ID", "number"),
    Column("product_name", "产品名称"), Column("his_purchased", "HIS采购入库量", "number"),
    Column("his_returned", "HIS采购退货量", "number"), Column("his_net", "HIS净采购量", "number"),
    Column("platform_accepted", "平台验收量", "number"), Column("platform_returned", "平台退货量", "number"),
    Column("platform_net", "平台净验收量", "number"), Column("matched_across_month_end", "跨月匹配量", "number"),
    Column("off_platform", "线下采购量", "number"), Column("off_platform_share", "线下采购占比", "rate"),
    Column("alert", "预警"), Column("highest_his_price", "HIS最高采购单价(元)", "money"),
    Column("agreed_price", "协议单价(元)", "money"), Column("price_above_agreed", "高于协议价"),
    Column("designated_distributor", "指定配送企业"), Column("other_suppliers", "其他供应商")]
UPLOAD_COLUMNS = [
    *HOSPITAL, Column("month", "月份"), Column("due_on", "应上传日期", "date"), Column("status", "上传状态"),
    Column("first_received_on", "首次上传日期", "date"), Column("last_received_on", "最近上传日期", "date"),
    *(Column(i.data_type, f"{i.title}({i.infno})行数", "number") for i in INTERFACES.values() if i.infno != "3507"),
    Column("batches_in_force", "执行中批次")]
