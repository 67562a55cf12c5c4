"""MON-1/MON-7 by company group (seed 001: 同企业、同组别的中选产品可合并考核): where a batch's policy
sets ``assess_by`` to ``company_group``, a hospital's items of one company in one group are
assessed together — one product's surplus covers another's shortfall within the group, not
across groups — for "behind" and for the assessment's completion score. Figures by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

from monitoring_setup import A, accepted, agreement, deliver
from sqlalchemy import update
from test_monitoring_assessment_rules import SETTINGS
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.assessment import service as assessment
from vbp_monitoring.progress import service as progress
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView, ProductView
from vbpkit.web.identity import Principal, Role

ADMIN = Principal(role=Role.ADMIN, key_id="admin")
YEAR_END = date(2025, 12, 31)


async def given(sessions, assess_by: str) -> None:
    """H1 agreed 100 each of 11 and 12 (group G1) and 13 (G2), all A's at 10.00; by the year's end
    it accepted 300 of 11, none of 12 and 50 of 13: G1 300 ÷ 200 = 1.5, G2 50 ÷ 100 = 0.5."""
    now = datetime.now(timezone.utc)
    async with sessions() as session, session.begin():
        await session.execute(update(BatchView).where(BatchView.code == "CQ").values(
            policy=policy_from_preset("chongqing-2025").model_copy(update={"assess_by": assess_by})))
        for product, group in ((11, "G1"), (12, "G1"), (13, "G2")):
            session.add(ProductView(product_id=product, batch_code="CQ", group_code=group, registration_no=f"R{product}",
                                    spec="1", name=f"P{product}", applicant_credit_code=A, winning=True,
                                    service_price_fen=0, winning_price_fen=1000, status="listed", as_of=now))
    await deliver(sessions, agreement(1, "H1", A, [(11, 100, 1000), (12, 100, 1000), (13, 100, 1000)]),
                  accepted(1, "H1", A, 11, 300, 1000, date(2025, 6, 1)),
                  accepted(2, "H1", A, 13, 50, 1000, date(2025, 6, 1)))


async def behind_alerts(sessions) -> list[tuple]:
    async with sessions() as session, session.begin():
        await alerts.run_alert_checks(session, today=date(2026, 1, 1))
    async with sessions() as session:
        found, _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "behind"}, region_code=None,
                                        after_id=None, limit=10)
    return sorted((a.product_id, a.group_code) for a in found)


class TestAssessByCompanyGroup:
    async def test_mon1_mon7_a_company_group_is_behind_and_scored_as_one(self, sessions):
        await given(sessions, "company_group")
        async with sessions() as session:
            groups = await progress.progress(session, principal=ADMIN, as_of=YEAR_END, batch_code="CQ",
                                             hospital_code=None, company_code=None, region_code=None, year=None,
                                             group_by="company_group")
        assert [(g.key["group_code"], str(g.completion), g.behind) for g in groups] == [
            ("G1", "1.5000", False), ("G2", "0.5000", True)]
        assert await behind_alerts(sessions) == [(0, "G2")]  # 12 is short, but G1 as a whole is not
        async with sessions() as session:
            [row] = (await assessment.assessment(session, principal=ADMIN, batch_code="CQ", year=1, as_of=YEAR_END,
                                                 weights=SETTINGS.assessment_weights,
                                                 grades=SETTINGS.assessment_grades))["hospitals"]
        # (200 × 10.00 × min(1, 1.5) + 100 × 10.00 × 0.5) ÷ 300 × 10.00 = 0.8333 (the hospital's roll-up: 1)
        assert row["scores"]["completion"] == "83.33"

    async def test_mon1_by_item_each_short_item_is_behind(self, sessions):
        await given(sessions, "item")
        assert await behind_alerts(sessions) == [(12, ""), (13, "")]
        async with sessions() as session:
            [row] = (await assessment.assessment(session, principal=ADMIN, batch_code="CQ", year=1, as_of=YEAR_END,
                                                 weights=SETTINGS.assessment_weights,
                                                 grades=SETTINGS.assessment_grades))["hospitals"]
        assert row["scores"]["completion"] == "100.00"  # as before: the hospital's roll-up, 350 ÷ 300 capped
