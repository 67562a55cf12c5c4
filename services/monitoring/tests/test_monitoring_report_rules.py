"""MON-8 the monthly report on a real database, from the events of contracts and settlement
applied as the consumer would, for a month and a region — figures worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from io import BytesIO

from monitoring_setup import A, TABLE, accepted, agreement, returned
from openpyxl import load_workbook
from test_monitoring_credit_rules import confirmed, declined, delivered
from test_monitoring_prepayment_use_rules import disbursed
from test_monitoring_savings_rules import given_products
from test_monitoring_timeliness_rules import ADMIN, event, payment
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.report import service
from vbp_monitoring.report.schemas import MonthlyReport
from vbp_monitoring.report.xlsx import report_workbook
from vbp_monitoring.savings.repository import put_baselines
from vbpkit.projections.registry.models import CompanyView
from vbpkit.web.identity import Principal, Role
from vbpkit.messaging.handlers import apply

GENERATED = datetime(2025, 4, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 in Beijing

MARCH = date(2025, 3, 1)
CHONGQING = Principal(role=Role.INSURER, key_id="cq", tenant="500000")


async def apply_all(sessions, *envelopes) -> None:
    async with sessions() as session, session.begin():
        for e in envelopes:
            await apply(session, TABLE[e.type], e)


async def given_a_month(sessions) -> None:
    """March 2025. H1 (Chongqing) accepts 100 of product 11 at 10.00 and returns 10 of them;
    H3 (Sichuan) accepts 50. Baseline of 11: 15.00. H1's lines: 10 ordered and confirmed,
    5 delivered, 10 declined. Invoice 1 of H1 (1,000.00, due 2025-03-31) submitted and paid
    600.00 on 03-20: not on time. Plan 1 of H1, CQ, 5,000.00, first due 2025-01-15; 4,000.00
    disbursed; the March payable offset 1,500.00. Company A is registered as 某医疗器械有限公司."""
    await given_products(sessions, 11)
    async with sessions() as session, session.begin():
        session.add(CompanyView(credit_code=A, name="某医疗器械有限公司", roles=["manufacturer"],
                                as_of=datetime.now(timezone.utc)))
    async with sessions() as session, session.begin():
        await put_baselines(session, [{"product_id": 11, "baseline_price_fen": 1500, "set_by": "test"}])
    await apply_all(
        sessions, agreement(1, "H1", A, [(11, 1200, 1000)]),
        accepted(1, "H1", A, 11, 100, 1000, date(2025, 3, 5)), returned(1, "H1", 10, 1000, date(2025, 3, 20)),
        accepted(2, "H3", A, 11, 50, 1000, date(2025, 3, 6)), accepted(3, "H1", A, 11, 7, 1000, date(2025, 4, 1)),
        confirmed(5, 1, 10, date(2025, 3, 3)), declined(5, 2, 10, date(2025, 3, 3)),
        delivered(5, 5, date(2025, 3, 3), date(2025, 3, 4), [(1, 5)]),
        event("settlement.invoice.submitted", 1, "H1", invoice_id=1, number="N1", company_code=A,
              hospital_code="H1", amount_fen=100_000, submitted_on=date(2025, 3, 10), due_on=date(2025, 3, 31),
              lines=[{"delivery_id": 1, "line_no": 1, "product_id": 11, "batch_code": "CQ", "quantity": 100,
                      "unit_price_fen": 1000, "amount_fen": 100_000, "accepted_on": "2025-03-05",
                      "due_on": "2025-03-31"}]), payment(1, 1, "H1", 60_000, date(2025, 3, 20)),
        event("settlement.prepayment.planned", 1, "H1", plan_id=1, batch_code="CQ", hospital_code="H1",
              prepaid_year=1, fund="employee", base_fen=1_000_000, computed_total_fen=500_000, total_fen=500_000,
              tranches=[{"number": 1, "kind": "k", "amount_fen": 500_000, "due_on": "2025-01-15"}]),
        disbursed(1, 400_000, date(2025, 1, 10)),
        event("settlement.offset.applied", 1, "H1", payable_id=1, hospital_code="H1", fund="employee",
              month=MARCH, version_no=1, amount_fen=300_000, direct_settlements_fen=0, offset_fen=150_000,
              net_fen=150_000, paid_on=date(2025, 3, 31), deductions=[],
              offsets=[{"plan_id": 1, "batch_code": "CQ", "amount_fen": 150_000, "outstanding_after_fen": 250_000}]))


class TestMonthlyReport:
    async def test_mon8_a_regions_month_purchases_supply_payments_prepayments_and_savings(self, sessions):
        await given_a_month(sessions)
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 4, 2))
        async with sessions() as session:
            report = await service.monthly_report(session, principal=CHONGQING, month=MARCH, region_code=None)
        body = MonthlyReport.of(report).model_dump(mode="json")
        assert body["hospitals"] == 2 and body["region_code"] == "500000"
        [row] = body["purchases"]
        assert (row["accepted_quantity"], row["returned_quantity"], row["net_quantity"], row["net_amount"]) == (
            100, 10, 90, "900.00")
        assert body["purchases_by_company"] == [{"company_code": A, "company_name": "某医疗器械有限公司",
                                                 "net_quantity": 90, "net_amount": "900.00"}]
        assert body["supply"] == [{"batch_code": "CQ", "company_code": A, "company_name": "某医疗器械有限公司",
                                   "ordered_quantity": 20,
                                   "confirmed_quantity": 10, "declined_quantity": 10, "delivered_quantity": 5}]
        assert body["payments"] == {"invoiced_count": 1, "invoiced": "1000.00", "paid": "600.00",
                                    "found_overdue_count": 0, "found_overdue": "0.00", "invoices_due": 1,
                                    "paid_on_time": 0, "on_time_rate": "0.0000"}
        assert body["prepayments"] == [{"batch_code": "CQ", "planned": "5000.00", "disbursed": "4000.00",
                                        "late": "0.00", "offset": "1500.00", "refunded": "0.00",
                                        "outstanding": "2500.00"}]
        # H1 bought 90 of 1,200 by the end of March (7.5 %), its target 90 ÷ 365 = 24.66 %: behind (MON-1)
        assert body["alert_counts"] == {"behind": 1} and body["alerts"][0]["hospital_code"] == "H1"
        # (15.00 − 10.00) × 90
        assert body["savings"] == [{"batch_code": "CQ", "savings": "450.00", "products_without_baseline": 0}]

    async def test_mon8_the_whole_province_of_another_insurer_and_everyone_for_the_exchange(self, sessions):
        await given_a_month(sessions)
        sichuan = Principal(role=Role.INSURER, key_id="sc", tenant="510000")
        async with sessions() as session:
            theirs = await service.monthly_report(session, principal=sichuan, month=MARCH, region_code=None)
            everyone = await service.monthly_report(session, principal=ADMIN, month=MARCH, region_code=None)
            narrowed = await service.monthly_report(session, principal=ADMIN, month=MARCH, region_code="500103")
        assert [(r["hospitals"], r["purchases"][0]["net_quantity"]) for r in (theirs, narrowed)] == [(1, 50), (1, 90)]
        assert theirs["prepayments"] == [] and theirs["payments"]["invoiced_count"] == 0
        assert everyone["hospitals"] is None and everyone["purchases_by_batch"] == [
            {"batch_code": "CQ", "net_quantity": 140, "net_amount": 140_000}]

    async def test_mon8_the_xlsx_has_one_sheet_per_part_and_numbers_not_text(self, sessions):
        await given_a_month(sessions)
        async with sessions() as session:
            report = await service.monthly_report(session, principal=CHONGQING, month=MARCH, region_code=None)
        book = load_workbook(BytesIO(report_workbook(report, generated_at=GENERATED, generated_by="insurer:cq")))
        assert book.sheetnames == ["说明", "purchases", "purchases by batch", "purchases by company", "supply",
                                   "payments", "prepayments", "savings", "failure costs", "obstructions",
                                   "alerts"]
        # issue 23: a cover (what, month, region, when, by whom), Chinese names above the field names
        cover = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
        assert (cover["month"], cover["region_code"], cover["生成者"]) == ("2025-03", "500000", "insurer:cq")
        assert cover["生成时间 (北京时间)"] == datetime(2025, 4, 1, 9, 30)
        labels, header = [c.value for c in book["purchases"][1]], [c.value for c in book["purchases"][2]]
        assert labels[header.index("net_amount")] == "净采购金额(元)"
        values = dict(zip(header, [c.value for c in book["purchases"][3]]))
        assert values["net_quantity"] == 90
        assert isinstance(values["net_amount"], (int, float, Decimal)) and values["net_amount"] == 900
        assert book["purchases"]["L3"].number_format == "#,##0.00"
        prepaid = dict(zip([c.value for c in book["prepayments"][2]], [c.value for c in book["prepayments"][3]]))
        assert prepaid["outstanding"] == 2500
        assert book["payments"]["H3"].value == 0 and book["payments"]["H3"].number_format == "0.0000"
