"""The monthly report (MON-8) as an ``.xlsx``: one sheet per part, figures as numbers."""

from __future__ import annotations

from vbpkit.web.xlsx import Sheet, workbook

PURCHASES = ["batch_code", "product_id", "product_name", "spec", "company_code", "accepted_quantity",
             "accepted_amount", "returned_quantity", "returned_amount", "net_quantity", "net_amount"]
SUPPLY = ["batch_code", "company_code", "ordered_quantity", "confirmed_quantity", "declined_quantity",
          "delivered_quantity"]
PAYMENTS = ["invoiced_count", "invoiced", "paid", "found_overdue_count", "found_overdue", "invoices_due",
            "paid_on_time", "on_time_rate"]
PREPAYMENTS = ["batch_code", "planned", "disbursed", "late", "offset", "refunded", "outstanding"]
SAVINGS = ["batch_code", "savings", "products_without_baseline"]
ALERTS = ["id", "kind", "rule", "period", "batch_code", "hospital_code", "company_code", "region_code", "status",
          "raised_on"]
MONEY = {"accepted_amount", "returned_amount", "net_amount", "invoiced", "paid", "found_overdue", "planned",
         "disbursed", "late", "offset", "refunded", "outstanding", "savings"}


def report_workbook(report: dict) -> bytes:
    def rows(items: list[dict], header: list[str]) -> list[list]:
        return [[item[name] for name in header] for item in items]
    return workbook([
        Sheet("purchases", PURCHASES, rows(report["purchases"], PURCHASES), money=MONEY),
        Sheet("purchases by batch", ["batch_code", "net_quantity", "net_amount"],
              rows(report["purchases_by_batch"], ["batch_code", "net_quantity", "net_amount"]), money=MONEY),
        Sheet("purchases by company", ["company_code", "net_quantity", "net_amount"],
              rows(report["purchases_by_company"], ["company_code", "net_quantity", "net_amount"]), money=MONEY),
        Sheet("supply", SUPPLY, rows(report["supply"], SUPPLY)),
        Sheet("payments", PAYMENTS, rows([report["payments"]], PAYMENTS), money=MONEY, rates={"on_time_rate"}),
        Sheet("prepayments", PREPAYMENTS, rows(report["prepayments"], PREPAYMENTS), money=MONEY),
        Sheet("savings", SAVINGS, rows(report["savings"], SAVINGS), money=MONEY),
        Sheet("alerts", ALERTS, [[getattr(a, name) for name in ALERTS] for a in report["alerts"]]),
    ])
