"""MON-13 supply problem reports on a real database (seeds 000/004: problems of supply,
accompanying service and quality 及时报告; a company that fails 承担所有费用 and is rated): a
hospital reports against its order line, the company named answers, the insurer of the
hospital's region confirms the report into a MON-6 breach — the rating follows — or dismisses it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from monitoring_setup import A, deliver
from sqlalchemy import select
from test_monitoring_credit_rules import D, confirmed
from vbp_monitoring.credit import costs
from vbp_monitoring.credit import service as credit
from vbp_monitoring.credit.schemas import CostIn
from vbp_monitoring.report import service as report
from vbp_monitoring.supply import service as supply
from vbp_monitoring.supply_reports import service
from vbp_monitoring.supply_reports.schemas import AnswerIn, DecisionIn, ReportIn
from vbpkit.db.tables import OutboxRow
from vbpkit.projections.registry.models import CompanyView
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

H1 = Principal(role=Role.HOSPITAL, tenant="H1", key_id="h1")
H2 = Principal(role=Role.HOSPITAL, tenant="H2", key_id="h2")
DISTRIBUTOR = Principal(role=Role.COMPANY, tenant=D, key_id="d")
MANUFACTURER = Principal(role=Role.COMPANY, tenant=A, key_id="a")
CHONGQING = Principal(role=Role.INSURER, tenant="500000", key_id="cq")
SICHUAN = Principal(role=Role.INSURER, tenant="510000", key_id="sc")
TODAY = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 2, tzinfo=timezone.utc)


@pytest.fixture
async def ordered(sessions):
    """H1's order 7: line 1 of 10 stents, confirmed by distributor D on 3 March."""
    await deliver(sessions, confirmed(7, 1, 10, date(2025, 3, 3)))
    async with sessions() as session, session.begin():
        session.add(CompanyView(credit_code=D, name="重庆某医药配送有限公司", roles=["distributor"],
                                as_of=datetime.now(timezone.utc)))


async def file(sessions, principal=H1, **fields):
    body = {"order_id": 7, "line_no": 1, "kind": "not_delivered", "occurred_on": "2025-03-06",
            "description": "确认后三日未送达", **fields}
    async with sessions() as session, session.begin():
        return await service.file(session, request=ReportIn.model_validate(body), principal=principal, today=TODAY)


async def decide(sessions, report_id: int, principal=CHONGQING, **fields):
    async with sessions() as session, session.begin():
        return await service.decide(session, report_id=report_id, principal=principal, today=TODAY, now=NOW,
                                    request=DecisionIn.model_validate({"decision": "confirm", "severity": "中等",
                                                                       "reason": "经核实属实", **fields}))


class TestSupplyReports:
    async def test_mon13_a_confirmed_report_becomes_a_breach_and_the_rating_follows(self, sessions, ordered):
        report = await file(sessions)
        assert (report.company_code, report.batch_code, report.region_code, report.status) == (
            D, "CQ", "500103", "open")  # the line's distributor by default
        async with sessions() as session, session.begin():
            answered = await service.answer(session, report_id=report.id, principal=DISTRIBUTOR, now=NOW,
                                            request=AnswerIn(answer="车辆故障，已于3月9日补送"))
        assert answered.answer == "车辆故障，已于3月9日补送"
        decided = await decide(sessions, report.id)
        assert (decided.status, decided.breach_id is not None) == ("confirmed", True)
        async with sessions() as session:
            rating = await credit.rating(session, company_code=D, as_of=TODAY, principal=CHONGQING)
            announced = [r.type for r in await session.scalars(select(OutboxRow).order_by(OutboxRow.id))]
        assert rating["rating"] == "中等"
        assert announced.count("monitoring.supply_report.filed") == 1
        assert announced.count("monitoring.supply_report.decided") == 1
        with pytest.raises(Problem) as twice:
            await decide(sessions, report.id)
        assert twice.value.status == 409

    async def test_mon13_a_dismissed_report_counts_for_nothing(self, sessions, ordered):
        report = await file(sessions, kind="quality")
        assert report.company_code == A  # quality names the manufacturer
        dismissed = await decide(sessions, report.id, decision="dismiss", severity=None, reason="批号产品检验合格")
        assert (dismissed.status, dismissed.breach_id, dismissed.decision_reason) == ("dismissed", None,
                                                                                     "批号产品检验合格")
        async with sessions() as session:
            assert (await credit.rating(session, company_code=A, as_of=TODAY, principal=CHONGQING))["rating"] is None

    @pytest.mark.parametrize("fields, where", [
        ({"order_id": 8}, "body.order_id"), ({"line_no": 2}, "body.line_no"),
        ({"company_code": "91500000MA5U0000X9"}, "body.company_code"), ({"occurred_on": "2025-03-11"},
                                                                        "body.occurred_on")])
    async def test_mon13_a_report_of_what_is_not_the_hospitals_is_refused(self, sessions, ordered, fields, where):
        with pytest.raises(Problem) as refused:
            await file(sessions, **fields)
        assert (refused.value.status, refused.value.errors[0]["field"]) == (422, where)

    async def test_mon13_who_sees_answers_and_decides(self, sessions, ordered):
        report = await file(sessions)
        with pytest.raises(Problem) as foreign:
            await file(sessions, principal=H2)  # another hospital's order
        assert foreign.value.status == 422
        for principal, seen in ((H1, 1), (H2, 0), (DISTRIBUTOR, 1), (MANUFACTURER, 0), (CHONGQING, 1), (SICHUAN, 0)):
            async with sessions() as session:
                found = await service.listing(session, principal=principal, filters={}, after_id=None, limit=10)
            assert len(found) == seen, principal
        with pytest.raises(Problem) as not_named:
            async with sessions() as session, session.begin():
                await service.answer(session, report_id=report.id, principal=MANUFACTURER, now=NOW,
                                     request=AnswerIn(answer="非我司配送"))
        assert not_named.value.status == 404
        with pytest.raises(Problem) as other_region:
            await decide(sessions, report.id, principal=SICHUAN)
        assert other_region.value.status == 404
        with pytest.raises(Problem) as no_severity:
            await decide(sessions, report.id, severity=None)
        assert (no_severity.value.status, no_severity.value.errors[0]["field"]) == (422, "body.severity")


class TestCostsOfFailure:
    async def test_mon13_a_proved_cost_is_recorded_against_the_company_not_deducted(self, sessions, ordered):
        """Seeds 003/004 (由此产生的所有费用由中选企业承担): H1 proved 12,800.00 of emergency buying
        against the manufacturer's confirmed quality breach; it shows in A's MON-6 performance of
        March (and so in the assessment's companies)."""
        breach_id = (await decide(sessions, (await file(sessions, kind="quality")).id)).breach_id
        body = {"hospital_code": "H1", "amount": "12800.00", "what_for": "紧急采购替代产品的差价及加急运费",
                "evidence_ref": "渝一院财〔2025〕31号", "incurred_on": "2025-03-08"}
        async with sessions() as session, session.begin():
            cost = await costs.record(session, breach_id=breach_id, request=CostIn.model_validate(body),
                                      principal=CHONGQING, today=TODAY)
        assert (cost.company_code, cost.amount_fen) == (A, 1_280_000)
        async with sessions() as session:
            [shown] = await costs.of_breach(session, breach_id=breach_id, principal=MANUFACTURER)
            performance = await supply.performance(session, principal=CHONGQING, first=date(2025, 3, 1),
                                                   last=date(2025, 3, 31), as_of=TODAY, company_code=None,
                                                   batch_code=None, hospital_code=None)
            announced = await session.scalar(select(OutboxRow.envelope).where(
                OutboxRow.type == "monitoring.breach_cost.recorded"))
        assert shown["amount"] == "12800.00" and announced["data"]["amount_fen"] == 1_280_000
        assert {row["company_code"]: row["failure_costs"] for row in performance} == {A: 1_280_000}
        async with sessions() as session:  # MON-8: the month's report of the region, by company
            march = await report.monthly_report(session, principal=CHONGQING, month=date(2025, 3, 1), region_code=None)
            april = await report.monthly_report(session, principal=CHONGQING, month=date(2025, 4, 1), region_code=None)
            sichuan = await report.monthly_report(session, principal=SICHUAN, month=date(2025, 3, 1), region_code=None)
        assert [(r["company_code"], r["costs"], r["amount"]) for r in march["failure_costs"]] == [(A, 1, 1_280_000)]
        assert april["failure_costs"] == [] and sichuan["failure_costs"] == []
        async with sessions() as session:
            with pytest.raises(Problem) as foreign:
                await costs.of_breach(session, breach_id=breach_id, principal=DISTRIBUTOR)
        assert foreign.value.status == 404  # another company's breach

    @pytest.mark.parametrize("fields, principal, status", [
        ({"hospital_code": "H2"}, CHONGQING, 422),      # the breach is H1's
        ({"incurred_on": "2025-03-01"}, CHONGQING, 422),  # before the breach occurred
        ({}, SICHUAN, 404),                            # H1 is not in Sichuan
    ])
    async def test_mon13_a_cost_is_refused_with_the_reason(self, sessions, ordered, fields, principal, status):
        breach_id = (await decide(sessions, (await file(sessions)).id)).breach_id
        body = {"hospital_code": "H1", "amount": "100.00", "what_for": "运费", "evidence_ref": "X-1",
                "incurred_on": "2025-03-08", **fields}
        with pytest.raises(Problem) as refused:
            async with sessions() as session, session.begin():
                await costs.record(session, breach_id=breach_id, request=CostIn.model_validate(body),
                                   principal=principal, today=TODAY)
        assert refused.value.status == status
