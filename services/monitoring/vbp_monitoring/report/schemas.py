from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from vbpkit.domain.money import YuanFromFen

from vbp_monitoring.alerts.schemas import AlertRead


class PurchaseRow(BaseModel):
    batch_code: str
    product_id: int
    product_name: str | None
    spec: str | None
    company_code: str
    company_name: str | None = Field(default=None, description="the registered name of `company_code`")
    accepted_quantity: int
    accepted_amount: YuanFromFen
    returned_quantity: int
    returned_amount: YuanFromFen
    net_quantity: int
    net_amount: YuanFromFen


class BatchSum(BaseModel):
    batch_code: str
    net_quantity: int
    net_amount: YuanFromFen


class CompanySum(BaseModel):
    company_code: str
    company_name: str | None = Field(default=None, description="the registered name of `company_code`")
    net_quantity: int
    net_amount: YuanFromFen


class SupplyRow(BaseModel):
    batch_code: str
    company_code: str
    company_name: str | None = Field(default=None, description="the registered name of `company_code`")
    ordered_quantity: int
    confirmed_quantity: int
    declined_quantity: int
    delivered_quantity: int


class Payments(BaseModel):
    invoiced_count: int
    invoiced: YuanFromFen
    paid: YuanFromFen
    found_overdue_count: int
    found_overdue: YuanFromFen
    invoices_due: int
    paid_on_time: int
    on_time_rate: str | None = Field(description="4 places; none when no invoice fell due in the month")


class PrepaymentRow(BaseModel):
    batch_code: str
    planned: YuanFromFen
    disbursed: YuanFromFen
    late: YuanFromFen = Field(description="undisbursed in tranches found late by the month's end")
    offset: YuanFromFen
    refunded: YuanFromFen
    outstanding: YuanFromFen = Field(description="disbursed − offset − refunded")


class SavingsRow(BaseModel):
    batch_code: str
    savings: YuanFromFen
    products_without_baseline: int


class FailureCostRow(BaseModel):
    company_code: str
    company_name: str | None = None
    costs: int = Field(description="costs recorded, incurred in the month")
    amount: YuanFromFen


class ObstructionRow(BaseModel):
    hospital_code: str
    hospital_name: str | None = None
    substantiated: int = Field(description="complaints found substantiated in the month")


class MonthlyReport(BaseModel):
    month: str
    region_code: str | None
    hospitals: int | None = Field(description="hospitals in the region; none when every hospital counts")
    purchases: list[PurchaseRow]
    purchases_by_batch: list[BatchSum]
    purchases_by_company: list[CompanySum]
    supply: list[SupplyRow]
    payments: Payments
    prepayments: list[PrepaymentRow]
    savings: list[SavingsRow]
    failure_costs: list[FailureCostRow] = Field(description=(
        "MON-13: by company, the costs the region's hospitals proved against its breaches in the month (recorded, "
        "not deducted)"))
    obstructions: list[ObstructionRow] = Field(description="MON-14: by hospital, companies' complaints of "
                                                             "obstruction found substantiated in the month")
    alert_counts: dict[str, int]
    alerts: list[AlertRead]
    explain: dict[str, Any]

    @classmethod
    def of(cls, report: dict) -> MonthlyReport:
        return cls(**{**report, "alerts": [AlertRead.of(a) for a in report["alerts"]]})
