"""MON-7 the annual assessment on a real database: per hospital completion, on-time payment,
onboarding, substitutes and savings with a weighted score and grade; per company the supply
figures and rating — worked out by hand for agreement year 1 (2025) of batch CQ."""

from __future__ import annotations

from datetime import date, datetime, timezone
from io import BytesIO

import pytest
from monitoring_setup import A, accepted, agreement
from openpyxl import load_workbook
from test_monitoring_credit_rules import confirmed, declined, delivered
from test_monitoring_report_rules import apply_all
from test_monitoring_timeliness_rules import ADMIN, invoice, payment
from vbp_monitoring.alerts.models import Alert
from vbp_monitoring.assessment import service
from test_monitoring_his_rules import STENT, purchase
from vbp_monitoring.assessment.xlsx import assessment_workbook
from vbp_monitoring.his import uploads as his
from vbpkit.projections.catalog_view.models import ProductView
from vbp_monitoring.settings import MonitoringSettings
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

GENERATED = datetime(2025, 4, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 in Beijing

REQUIRED = dict(database_url="postgresql+asyncpg://x/y", kafka_bootstrap_servers="x:1", identity_key="k" * 32)
SETTINGS = MonitoringSettings(**REQUIRED)
YEAR_END = date(2025, 12, 31)


async def given_a_year(sessions) -> None:
    """H1 agreed 1,200 at 10.00, bought them all from 1 February (onboarded by 1 March) and
    paid its invoice in time. H2 agreed 1,000, bought 500 from 10 April (after the check day),
    paid its invoice late, and had a substitutes alert in May. Company A delivered one line
    the day after its order and declined another."""
    await apply_all(sessions, agreement(1, "H1", A, [(11, 1200, 1000)]), agreement(2, "H2", A, [(11, 1000, 1000)]),
                    accepted(1, "H1", A, 11, 600, 1000, date(2025, 2, 1)),
                    accepted(2, "H1", A, 11, 600, 1000, date(2025, 9, 1)),
                    accepted(3, "H2", A, 11, 500, 1000, date(2025, 4, 10)),
                    invoice(1, "H1", 600_000, date(2025, 3, 31)), payment(1, 1, "H1", 600_000, date(2025, 3, 20)),
                    invoice(2, "H2", 500_000, date(2025, 5, 31)), payment(2, 2, "H2", 500_000, date(2025, 6, 20)),
                    confirmed(9, 1, 10, date(2025, 3, 3)), declined(9, 2, 10, date(2025, 3, 3)),
                    delivered(9, 9, date(2025, 3, 3), date(2025, 3, 4), [(1, 10)]))
    async with sessions() as session, session.begin():
        session.add(Alert(kind="substitutes", rule="MON-5", period="2025-05", batch_code="CQ", hospital_code="H2",
                          company_code="", product_id=0, group_code="G1", region_code="500157", status="open",
                          raised_on=date(2025, 6, 1), details={}))


async def assess(sessions, principal=ADMIN, as_of=YEAR_END, weights=None) -> dict:
    async with sessions() as session:
        return await service.assessment(session, principal=principal, batch_code="CQ", year=1, as_of=as_of,
                                        weights=weights or SETTINGS.assessment_weights,
                                        grades=SETTINGS.assessment_grades)


class TestAssessment:
    async def test_mon7_scores_and_grades_per_hospital(self, sessions):
        """H1: every component 100 → A. H2: completion 0.5 → 50, on-time 0, onboarding 0,
        substitutes (1 − 1/12) × 100 = 91.67 → (40×50 + 30×0 + 10×0 + 20×91.67) ÷ 100 = 38.33 → D."""
        await given_a_year(sessions)
        found = await assess(sessions)
        assert not found["provisional"]
        h1, h2 = found["hospitals"]
        assert (h1["hospital_code"], h1["score"], h1["grade"]) == ("H1", "100.00", "A")
        assert h2["scores"] == {"completion": "50.00", "on_time_payment": "0.00", "onboarding": "0.00",
                                "substitutes": "91.67", "on_platform": None}  # no HIS upload: nothing to assess
        assert (h2["completion"], h2["on_time_rate"], h2["onboarded_on"]) == ("0.5000", "0.0000", date(2025, 4, 10))
        assert (h2["score"], h2["grade"]) == ("38.33", "D")
        [company] = found["companies"]
        assert (company["company_code"], company["fill_rate"], company["lines_declined"]) == (A, "1.0000", 1)
        assert found["explain"]["weights"] == SETTINGS.assessment_weights

    async def test_mon7_nothing_to_assess_is_no_score_and_the_weights_are_rebased(self, sessions):
        """Issue 23, item 6: on 2025-02-28 no invoice had fallen due (H1's is due 03-31) and the
        onboarding check day (2025-03-01) had not come: both components have nothing to assess —
        null, not 100 — and the score is the mean of completion and substitutes with their
        weights 40 and 20 re-based: H1 bought 600 of 1,200 by 02-01, completion 0.5000 against
        59/365 = 0.1616 → 100; substitutes 100 → (40 × 100 + 20 × 100) ÷ 60 = 100.00. H2 had
        bought nothing: completion 0 → (40 × 0 + 20 × 100) ÷ 60 = 33.33 → D."""
        await given_a_year(sessions)
        found = await assess(sessions, as_of=date(2025, 2, 28))
        h1, h2 = found["hospitals"]
        assert h1["scores"] == {"completion": "100.00", "on_time_payment": None, "onboarding": None,
                                "substitutes": "100.00", "on_platform": None}
        assert (h1["score"], h1["grade"], h1["invoices_due"]) == ("100.00", "A", 0)
        assert (h2["scores"]["completion"], h2["scores"]["on_time_payment"], h2["score"], h2["grade"]) == (
            "0.00", None, "33.33", "D")
        book = load_workbook(BytesIO(assessment_workbook(found, generated_at=GENERATED, generated_by="insurer")))
        _, header, *rows = list(book["hospitals"].iter_rows(values_only=True))
        assert rows[0][header.index("score_on_time_payment")] == "无可考核 (nothing to assess)"
        assert float(rows[1][header.index("score")]) == 33.33

    async def test_mon7_the_weights_are_the_bureaus_setting(self, sessions):
        await given_a_year(sessions)
        found = await assess(sessions, weights={"completion": 100, "on_time_payment": 0, "onboarding": 0,
                                                "substitutes": 0})
        assert [(h["score"], h["grade"]) for h in found["hospitals"]] == [("100.00", "A"), ("50.00", "D")]
        with pytest.raises(ValueError):
            MonitoringSettings(**REQUIRED, assessment_weights={"completion": 100})

    async def test_mon7_bought_on_the_platform_from_the_his_uploads(self, sessions):
        """MON-11 in MON-7 (seeds 000/002/004 不得线下采购): H1's HIS stocked in 1,500 of product 11
        in 2025 (1,000 in February, 500 in September) and the platform accepted 1,200: 1,200 ÷
        1,500 = 0.8 → 80.00. Weighed 0 by default, the score is unchanged (100.00); weighed 50
        beside completion 50: (50 × 100 + 50 × 80) ÷ 100 = 90.00. H2's HIS sent nothing: null."""
        await given_a_year(sessions)
        async with sessions() as session, session.begin():
            session.add(ProductView(product_id=11, batch_code="CQ", group_code="G1", registration_no="R11", spec="1",
                                    name="P11", applicant_credit_code=A, winning=True, service_price_fen=0,
                                    winning_price_fen=1000, status="listed", insurance_code=STENT, unit="个",
                                    as_of=datetime.now(timezone.utc)))
            await his.upload(session, hospital="H1", infno="3503", now=GENERATED, body=[
                purchase("B1", "1000", "2025-02-01 09:00:00"), purchase("B2", "500", "2025-09-01 09:00:00")])
        h1, h2 = (await assess(sessions))["hospitals"]
        assert (h1["scores"]["on_platform"], h1["on_platform_quantity"], h1["his_quantity"], h1["score"]) == (
            "80.00", "1200.0000", "1500.0000", "100.00")
        assert h2["scores"]["on_platform"] is None
        weighed = await assess(sessions, weights={"completion": 50, "on_time_payment": 0, "onboarding": 0,
                                                  "substitutes": 0, "on_platform": 50})
        assert weighed["hospitals"][0]["score"] == "90.00"

    async def test_mon7_mid_year_is_provisional_and_measured_against_the_target(self, sessions):
        """On 2025-06-30 (181 of 365 days, target 0.4959) H1 had bought 600 of 1,200 (0.5000):
        completion score 100; the assessment is provisional."""
        await given_a_year(sessions)
        found = await assess(sessions, as_of=date(2025, 6, 30))
        assert found["provisional"] and found["hospitals"][0]["scores"]["completion"] == "100.00"
        assert found["hospitals"][0]["target"] == "0.4959"

    async def test_mon7_a_hospital_reads_its_own_a_company_its_own(self, sessions):
        await given_a_year(sessions)
        mine = await assess(sessions, principal=Principal(role=Role.HOSPITAL, key_id="h2", tenant="H2"))
        assert [h["hospital_code"] for h in mine["hospitals"]] == ["H2"] and mine["companies"] == []
        company = await assess(sessions, principal=Principal(role=Role.COMPANY, key_id="a", tenant=A))
        assert company["hospitals"] == []

    async def test_mon7_a_year_the_batch_does_not_have_is_refused(self, sessions):
        async with sessions() as session:
            with pytest.raises(Problem) as refused:
                await service.assessment(session, principal=ADMIN, batch_code="CQ", year=3, as_of=YEAR_END,
                                         weights=SETTINGS.assessment_weights, grades=SETTINGS.assessment_grades)
        assert refused.value.status == 422

    async def test_mon7_the_xlsx_carries_scores_as_numbers(self, sessions):
        await given_a_year(sessions)
        book = load_workbook(BytesIO(assessment_workbook(await assess(sessions), generated_at=GENERATED,
                                                         generated_by="insurer")))
        assert book.sheetnames == ["说明", "hospitals", "companies"]
        labels, header = [c.value for c in book["hospitals"][1]], [c.value for c in book["hospitals"][2]]
        assert labels[header.index("score")] == "总分" and labels[header.index("hospital_name")] == "医疗机构名称"
        h2 = dict(zip(header, [c.value for c in book["hospitals"][4]]))
        assert (h2["hospital_code"], float(h2["score"]), h2["grade"], h2["accepted_amount"]) == ("H2", 38.33, "D", 5000)
