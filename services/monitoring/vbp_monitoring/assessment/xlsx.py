"""The annual assessment (MON-7) as an ``.xlsx``: a cover sheet (batch, year, as of, generated when
and by whom), a sheet of hospitals, one of companies — names beside codes, Chinese column names
above the API field names (issue 23)."""

from __future__ import annotations

from datetime import datetime

from vbpkit.web.xlsx import LABELS, Cover, Sheet, workbook

from vbp_monitoring.settings import ASSESSED

HOSPITALS = ["hospital_code", "hospital_name", "completion", "target", "agreed_amount", "accepted_amount", "invoices_due",
             "paid_on_time", "on_time_rate", "onboarded_on", "substitute_alert_months", "months", "on_platform_quantity", "his_quantity", "savings",
             "obstructions_substantiated"]
COMPANIES = ["company_code", "company_name", "lines_confirmed", "lines_due", "delivered_in_time", "fill_rate", "lead_time_days_p50",
             "lead_time_days_p90", "lines_declined", "breaches_in_period", "failure_costs", "rating"]
NOTHING_TO_ASSESS = "无可考核 (nothing to assess)"  # never full marks it did not earn (issue 23)
RATES = {"completion", "target", "on_time_rate", "fill_rate", "score", *(f"score_{k}" for k in ASSESSED)}


def assessment_workbook(found: dict, *, generated_at: datetime, generated_by: str) -> bytes:
    header = HOSPITALS + [f"score_{k}" for k in ASSESSED] + ["score", "grade"]
    def shown(score: str | None) -> str:
        return NOTHING_TO_ASSESS if score is None else score

    hospitals = [[h[name] for name in HOSPITALS] + [shown(h["scores"][k]) for k in ASSESSED]
                 + [shown(h["score"]), h["grade"]] for h in found["hospitals"]]
    cover = Cover(title="年度考核 (MON-7)", facts=[
        ("batch_code", found["batch_code"]), ("year", found["year"]), ("as_of", found["as_of"]),
        ("provisional", found["provisional"])], generated_at=generated_at, generated_by=generated_by)
    return workbook([
        Sheet("hospitals", header, hospitals, money={"agreed_amount", "accepted_amount", "savings"}, rates=RATES,
              labels=LABELS),
        Sheet("companies", COMPANIES, [[c.get(name) for name in COMPANIES] for c in found["companies"]], rates=RATES,
              money={"failure_costs"}, labels=LABELS),
    ], cover=cover)
