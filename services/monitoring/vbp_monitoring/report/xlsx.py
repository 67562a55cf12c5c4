"""The monthly report (MON-8) as an ``.xlsx``: a cover sheet (the month, the region, generated
when and by whom), then one sheet per part — Chinese column names above the API field names,
figures as numbers (issue 23)."""

from __future__ import annotations

from datetime import datetime

from vbpkit.web.xlsx import LABELS, Cover, Sheet, workbook

PURCHASES = ["batch_code", "product_id", "product_name", "spec", "company_code", "company_name", "accepted_quantity",
             "accepted_amount", "returned_quantity", "returned_amount", "net_quantity", "net_amount"]
SUPPLY = ["batch_code", "company_code", "company_name", "ordered_quantity", "confirmed_quantity", "declined_quantity",
          "delivered_quantity"]
PAYMENTS = ["invoiced_count", "invoiced", "paid", "found_overdue_count", "found_overdue", "invoices_due",
            "paid_on_time", "on_time_rate"]
PREPAYMENTS = ["batch_code", "planned", "disbursed", "late", "offset", "refunded", "outstanding"]
SAVINGS = ["batch_code", "savings", "products_without_baseline"]
FAILURE_COSTS = ["company_code", "company_name", "costs", "amount"]
OBSTRUCTIONS = ["hospital_code", "hospital_name", "substantiated"]
ALERTS = ["id", "kind", "rule", "period", "batch_code", "hospital_code", "company_code", "region_code", "status",
          "raised_on"]
MONEY = {"accepted_amount", "returned_amount", "net_amount", "invoiced", "paid", "found_overdue", "planned",
         "disbursed", "late", "offset", "refunded", "outstanding", "savings", "amount"}


def report_workbook(report: dict, *, generated_at: datetime, generated_by: str) -> bytes:
    def rows(items: list[dict], header: list[str]) -> list[list]:
        return [[item[name] for name in header] for item in items]
    cover = Cover(title="按月报送 (MON-8)", facts=[("month", report["month"]),
                                                 ("region_code", report["region_code"] or "all")],
                  generated_at=generated_at, generated_by=generated_by)
    return workbook([
        Sheet("purchases", PURCHASES, rows(report["purchases"], PURCHASES), money=MONEY, labels=LABELS),
        Sheet("purchases by batch", ["batch_code", "net_quantity", "net_amount"],
              rows(report["purchases_by_batch"], ["batch_code", "net_quantity", "net_amount"]), money=MONEY,
              labels=LABELS),
        Sheet("purchases by company", ["company_code", "company_name", "net_quantity", "net_amount"],
              rows(report["purchases_by_company"], ["company_code", "company_name", "net_quantity", "net_amount"]),
              money=MONEY,
              labels=LABELS),
        Sheet("supply", SUPPLY, rows(report["supply"], SUPPLY), labels=LABELS),
        Sheet("payments", PAYMENTS, rows([report["payments"]], PAYMENTS), money=MONEY, rates={"on_time_rate"},
              labels=LABELS),
        Sheet("prepayments", PREPAYMENTS, rows(report["prepayments"], PREPAYMENTS), money=MONEY, labels=LABELS),
        Sheet("savings", SAVINGS, rows(report["savings"], SAVINGS), money=MONEY, labels=LABELS),
        Sheet("failure costs", FAILURE_COSTS, rows(report["failure_costs"], FAILURE_COSTS), money=MONEY,
              labels=LABELS),
        Sheet("obstructions", OBSTRUCTIONS, rows(report["obstructions"], OBSTRUCTIONS), labels=LABELS),
        Sheet("alerts", ALERTS, [[getattr(a, name) for name in ALERTS] for a in report["alerts"]], labels=LABELS),
    ], cover=cover)
