"""MON-1 progress on a real database, from contracts' events applied as the consumer would:
completion against the time-proportional target at several dates, returns, a batch ended
early (pro rata), a superseded agreement version, roll-ups and who sees what — every figure
worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from monitoring_setup import A, B, accepted, agreement, deliver, returned, status_changed, transferred
from vbp_monitoring.progress import service
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view.models import BatchView

ADMIN = Principal(role=Role.ADMIN, key_id="admin")


async def progress(sessions, as_of: date, principal: Principal = ADMIN, **filters):
    args = dict(batch_code=None, hospital_code=None, company_code=None, region_code=None, year=None,
                group_by="item") | filters
    async with sessions() as session:
        return await service.progress(session, principal=principal, as_of=as_of, **args)


class TestProgressAgainstTheTime:
    async def test_mon1_completion_target_and_behind_at_several_dates(self, sessions):
        """H1 agreed 365 × 10.00 of product 11. By 2025-04-10 (day 100 of 365) it accepted
        60: completion 60/365 = 0.1644, target 100/365 = 0.2740 → behind by more than 10
        points. By 2025-07-01 (day 182) 150 more, 20 returned on 2025-06-30 → 190/365 =
        0.5205 against 0.4986: not behind."""
        await deliver(sessions, agreement(1, "H1", A, [(11, 365, 1000)]),
                      accepted(1, "H1", A, 11, 60, 1000, date(2025, 3, 1)),
                      accepted(2, "H1", A, 11, 150, 1000, date(2025, 5, 20)),
                      returned(2, "H1", 20, 1000, date(2025, 6, 30)))
        [early] = await progress(sessions, date(2025, 4, 10))
        assert (early.accepted_quantity, str(early.completion), str(early.target), early.behind) == (
            60, "0.1644", "0.2740", True)
        assert early.explain["elapsed_days"] == 100 and early.explain["agreement_year"]["days"] == 365
        [mid] = await progress(sessions, date(2025, 7, 1))
        assert (mid.accepted_quantity, str(mid.completion), str(mid.target), mid.behind) == (
            190, "0.5205", "0.4986", False)
        assert (mid.explain["returned"], mid.explain["accepted_amount"]) == (20, "1900.00")
        [before_return] = await progress(sessions, date(2025, 6, 29))
        assert before_return.accepted_quantity == 210  # the return counts from its day

    async def test_mon1_no_target_accrues_while_the_product_is_suspended(self, sessions):
        """Issue 25, item 3 (seed 003: 不能保障质量和供应时…退出、备选和应急保障; the hospital's orders
        for a suspended product are refused, CON-4): product 11 suspended from 2025-07-01,
        disqualified from 2025-09-01, listed again from 2025-10-01 — 92 days without a target.
        By 2025-12-31 H1 accepted 270 of 365: completion 0.7397 against (365 − 92) ÷ 365 = 0.7479,
        not behind (against the whole year's 1.0000 it would be, by 26 points). On 2025-08-15,
        mid-halt: (227 − 46) ÷ 365 = 0.4959."""
        await deliver(sessions, agreement(1, "H1", A, [(11, 365, 1000)]),
                      accepted(1, "H1", A, 11, 170, 1000, date(2025, 6, 1)),
                      accepted(2, "H1", A, 11, 100, 1000, date(2025, 11, 1)),
                      status_changed(11, "suspended", date(2025, 7, 1), "质量问题暂停挂网"),
                      status_changed(11, "disqualified", date(2025, 9, 1), "取消中选资格"),
                      status_changed(11, "listed", date(2025, 10, 1), "恢复挂网"))
        [end] = await progress(sessions, date(2025, 12, 31))
        assert (str(end.completion), str(end.target), end.behind) == ("0.7397", "0.7479", False)
        assert end.explain["halted_days"] == 92 and [h["status"] for h in end.explain["halted"]] == [
            "suspended", "disqualified"]
        assert end.explain["halted"][0] == {"from": "2025-07-01", "to": "2025-08-31", "status": "suspended",
                                            "reason": "质量问题暂停挂网", "days": 62}
        [mid] = await progress(sessions, date(2025, 8, 15))
        assert (str(mid.target), mid.explain["halted_days"]) == ("0.4959", 46)

    async def test_con7_a_transferred_item_is_assessed_to_the_day_before_and_the_backup_from_it(self, sessions):
        """CON-7 (seed 003: 备选和应急保障措施; seed 004: 增加替补供应企业): H1 agreed 365 × 10.00 of
        product 11 and accepted 170 by 2025-05-01; on 2025-07-01 the remaining 195 moved to the
        backup 21 (a new item at 12.00). The failing item's year ends 2025-06-30: 181 of 365 days,
        assessed 365 × 181 ÷ 365 = 181, completion 170 ÷ 181 = 0.9392 against a target of 1 — not
        behind (against the whole year it would be 0.4658). The backup's item runs 2025-07-01 to
        2025-12-31 (184 days): on 2025-10-01, day 93, target 93 ÷ 184 = 0.5054; 100 of 195
        accepted = 0.5128."""
        await deliver(sessions, agreement(1, "H1", A, [(11, 365, 1000)]), agreement(2, "H1", B, [(21, 195, 1200)]),
                      accepted(1, "H1", A, 11, 170, 1000, date(2025, 5, 1)),
                      accepted(2, "H1", B, 21, 100, 1200, date(2025, 9, 15)),
                      transferred(1, "H1", 11, 21, 195, date(2025, 7, 1)))
        failing, backup = await progress(sessions, date(2025, 12, 31))
        assert (failing.key["product_id"], failing.assessed_quantity, str(failing.completion), str(failing.target),
                failing.behind) == (11, 181, "0.9392", "1.0000", False)
        assert failing.explain["transfer"]["role"] == "failing"
        assert failing.explain["agreement_year"]["last"] == "2025-06-30"
        assert failing.explain["assessed_formula"].startswith("agreed × 181 ÷ 365 days: the year cut at the transfer")
        [_, backup] = await progress(sessions, date(2025, 10, 1))
        assert (backup.key["product_id"], backup.assessed_quantity, str(backup.completion), str(backup.target)) == (
            21, 195, "0.5128", "0.5054")
        assert backup.explain["agreement_year"] == {"year": 1, "first": "2025-07-01", "last": "2025-12-31", "days": 184}

    async def test_mon1_a_batch_ended_early_is_assessed_pro_rata(self, sessions):
        """Seed 000: the category entered national VBP and the batch ended on 2025-06-30 (day
        181): the agreed 365 is assessed as 365 × 181 / 365 = 181, and on the early end the
        target is 1. 181 accepted → complete."""
        async with sessions() as session, session.begin():
            batch = await session.get(BatchView, "CQ")
            batch.ends_on = date(2025, 6, 30)
            batch.ended_early_on = date(2025, 6, 30)
        await deliver(sessions, agreement(1, "H1", A, [(11, 365, 1000)]),
                      accepted(1, "H1", A, 11, 181, 1000, date(2025, 6, 1)))
        [row] = await progress(sessions, date(2025, 6, 30))
        assert (row.agreed_quantity, row.assessed_quantity, str(row.completion), str(row.target), row.behind) == (
            365, 181, "1.0000", "1.0000", False)
        assert "cut at the batch's early end" in row.explain["assessed_formula"]

    async def test_mon1_a_later_version_of_an_agreement_supersedes(self, sessions):
        await deliver(sessions, agreement(1, "H1", A, [(11, 100, 1000)]),
                      agreement(1, "H1", A, [(11, 200, 1000)], version_no=2),
                      agreement(1, "H1", A, [(11, 50, 1000)], version_no=1))  # an older one arriving late
        [row] = await progress(sessions, date(2025, 3, 1))
        assert row.agreed_quantity == 200


class TestRollUpsAndWhoSeesWhat:
    @pytest.fixture
    async def market(self, sessions):
        """H1 (渝中区 500103) and H2 (500157) in Chongqing, H3 in Chengdu (510104); companies A and B."""
        await deliver(sessions,
                      agreement(1, "H1", A, [(11, 100, 1000)]), agreement(2, "H1", B, [(12, 100, 2000)]),
                      agreement(3, "H2", A, [(11, 300, 1000)]), agreement(4, "H3", B, [(12, 50, 2000)]),
                      accepted(1, "H1", A, 11, 50, 1000, date(2025, 2, 1)),
                      accepted(2, "H1", B, 12, 10, 2000, date(2025, 2, 1)),
                      accepted(3, "H2", A, 11, 300, 1000, date(2025, 2, 1)))
        return sessions

    async def test_mon1_roll_ups_add_amounts(self, market):
        hospitals = await progress(market, date(2025, 7, 2), group_by="hospital")
        # H1: (50 × 10.00 + 10 × 20.00) ÷ (100 × 10.00 + 100 × 20.00) = 700 ÷ 3,000 = 0.2333
        assert [(r.key["hospital_code"], str(r.completion)) for r in hospitals] == [
            ("H1", "0.2333"), ("H2", "1.0000"), ("H3", "0.0000")]
        companies = await progress(market, date(2025, 7, 2), group_by="company")
        # A: (500 + 3,000) ÷ (1,000 + 3,000) = 0.8750; B: 200 ÷ (2,000 + 1,000) = 0.0667
        assert [(r.key["company_code"], str(r.completion)) for r in companies] == [(A, "0.8750"), (B, "0.0667")]
        regions = await progress(market, date(2025, 7, 2), group_by="region")
        assert [r.key["region_code"] for r in regions] == ["500103", "500157", "510104"]
        [batch] = await progress(market, date(2025, 7, 2), group_by="batch")
        # 3,700 ÷ 7,000 = 0.5286; day 183 of 365 → 0.5014 for every item, so for the batch too
        assert (str(batch.completion), str(batch.target)) == ("0.5286", "0.5014")

    async def test_mon1_scoping_by_role_tenant_and_region(self, market):
        h1 = Principal(role=Role.HOSPITAL, key_id="h1", tenant="H1")
        assert {r.key["hospital_code"] for r in await progress(market, date(2025, 7, 2), h1)} == {"H1"}
        assert await progress(market, date(2025, 7, 2), h1, hospital_code="H2") == []
        company_b = Principal(role=Role.COMPANY, key_id="b", tenant=B)
        assert {(r.key["hospital_code"], r.key["company_code"]) for r in
                await progress(market, date(2025, 7, 2), company_b)} == {("H1", B), ("H3", B)}
        chongqing = Principal(role=Role.INSURER, key_id="cq", tenant="500000")
        assert {r.key["hospital_code"] for r in await progress(market, date(2025, 7, 2), chongqing)} == {"H1", "H2"}
        county = Principal(role=Role.INSURER, key_id="yz", tenant="500103")
        assert {r.key["hospital_code"] for r in await progress(market, date(2025, 7, 2), county)} == {"H1"}
        exchange = Principal(role=Role.EXCHANGE, key_id="ex", tenant="CQ-EXCHANGE")
        assert len(await progress(market, date(2025, 7, 2), exchange)) == 4
        assert {r.key["hospital_code"] for r in await progress(market, date(2025, 7, 2), region_code="510000")} == {
            "H3"}
        with pytest.raises(Problem) as refused:
            await progress(market, date(2025, 7, 2), Principal(role=Role.INSURER, key_id="x", tenant="500000"),
                           year=3)
        assert refused.value.status == 422
