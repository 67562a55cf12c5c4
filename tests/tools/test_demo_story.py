"""Issue 12, item 2: ``make demo`` tells half a year through the platform's own API on its
injectable clock — four batches (one per policy preset), hospitals of every level, agreements
signed by three parties, five months of orders, deliveries, acceptances, a return, invoices,
payments, prepayments, fund payables with direct settlements (SET-5) and progressive offsets
(SET-4), and the alerts the platform's own checks raise from them. Told again, nothing is
doubled: the clock is moved back to the story's last day and the same keys are answered."""

from __future__ import annotations

from collections import Counter

import pytest

from testsupport.scenario_setup import isolated_platform
from vbptools.demo import story, world


@pytest.fixture(scope="module")
async def told(shared_platform, tmp_path_factory):
    data = tmp_path_factory.mktemp("demo-story")
    async with isolated_platform(shared_platform, data, "e2e_demo_", clock=f"frozen:{world.FIRST_DAY}T09:00") as platform:
        keys = await story.tell(platform.admin, data)
        async with platform.client(keys["insurer"]) as insurer:
            yield platform, data, keys, insurer


async def test_every_agreement_is_signed_by_three_parties_and_in_force(told):
    """CON-2: each batch's year-1 agreements, one per hospital and manufacturer, are effective."""
    platform, _, keys, _ = told
    for batch in world.BATCHES:
        async with platform.client(keys["exchange"]) as exchange:
            page = (await exchange.get("/contracts/agreements", params={"batch": batch.code, "limit": 50})).json()
        hospitals = {hospital for hospital, _ in batch.agreed}
        assert {a["hospital_code"] for a in page["items"]} == hospitals, batch.code
        assert all(a["status"] == "effective" and len(a["signatures"]) == 3 for a in page["items"]), page


async def test_the_checks_raised_the_alerts_the_story_was_written_for(told):
    """MON-1 … MON-5, MON-10: each kind the story provokes was raised by the platform's own checks,
    for the hospital it was provoked by."""
    _, _, _, insurer = told
    alerts = (await insurer.get("/monitoring/alerts", params={"limit": 200})).json()["items"]
    kinds = Counter(a["kind"] for a in alerts)
    for kind in ("stockpiling", "onboarding", "behind", "overdue_invoices", "late_tranche", "late_fund_payment",
                 "substitutes", "prepayment_use"):
        assert kinds[kind] >= 1, (kind, kinds)
    by_kind = {(a["kind"], a["hospital_code"]) for a in alerts}
    assert ("stockpiling", story.STOCKPILE[1]) in by_kind
    assert ("onboarding", "H500101004") in by_kind
    assert ("overdue_invoices", story.UNPAID[1]) in by_kind
    assert {a["hospital_code"] for a in alerts if a["kind"] == "late_tranche"} == {story.NO_TRANCHE}
    assert {a["hospital_code"] for a in alerts if a["kind"] == "late_fund_payment"} == {story.LATE_FUND_PAYMENT[1]}


async def test_fund_payables_show_direct_settlements_and_progressive_offsets(told):
    """SET-5: Shenyang's payable is net of what the fund paid companies directly; SET-4 with the
    chuxiong-2022 preset: the prepayment is offset month by month with the accepted amount; the
    Chongqing batches offset nothing before their cycle ends."""
    _, _, _, insurer = told
    payables = (await insurer.get("/settlement/fund-payables", params={"month": "2023-05"})).json()["items"]
    by_hospital = {p["hospital_code"]: p for p in payables}
    assert set(by_hospital) == set(world.HOSPITALS)
    assert float(by_hospital["H210100001"]["direct_settlements"]) > 0
    assert float(by_hospital["H532301001"]["offset"]) > 0
    assert by_hospital["H500101001"]["offset"] == "0.00"
    assert by_hospital["H532301002"]["offset"] == "0.00"     # its prepayment was never disbursed


async def test_supply_and_credit_follow_the_late_deliveries_and_the_recorded_breach(told):
    """MON-6: the lines Chuxiong's distributor delivered three days late lower the manufacturer's fill
    rate and give it a rating; the insurer's 伴随服务 breach rates 赛诺."""
    _, _, _, insurer = told
    performance = (await insurer.get("/monitoring/performance", params={"first": "2023-02-01", "last": "2023-06-30"})).json()
    rows = {r["company_code"]: r for r in performance["items"]}
    assert float(rows["91371000MA3C000055"]["fill_rate"]) < 1 and rows["91371000MA3C000055"]["rating"]
    assert float(rows["91310000MA1FL0001R"]["fill_rate"]) == 1
    rating = (await insurer.get("/monitoring/companies/91110000MA00L0002J/rating")).json()
    assert rating["rating"] == "一般", rating


async def test_a_failing_winner_gets_its_remedy(told):
    """Issue 25 (CAT-13, CON-7, MON-12): 上海微创's stent fails 重庆市人民医院 on the last day: the
    shortage it reported is resolved by a transfer of its remaining volume to 赛诺's stent, whose
    new agreement the three parties signed; its orders for the failing stent are refused."""
    _, _, _, insurer = told
    [transfer] = (await insurer.get("/contracts/transfers")).json()["items"]
    assert (transfer["hospital_code"], transfer["backup_agreement_status"], transfer["emergency"]) == (
        story.REMEDY_HOSPITAL, "effective", True)
    assert transfer["quantity"] == transfer["remaining"] > 0
    [shortage] = (await insurer.get("/monitoring/shortages")).json()["items"]
    assert (shortage["hospital_code"], shortage["status"], shortage["action"]) == (
        story.REMEDY_HOSPITAL, "resolved", "transfer")
    progress = (await insurer.get("/monitoring/progress", params={
        "hospital_code": story.REMEDY_HOSPITAL, "batch_code": "GJ-GMZJ-2023"})).json()["items"]
    roles = {row["key"]["product_id"]: row["explain"].get("transfer", {}).get("role") for row in progress}
    assert roles == {transfer["failing_product_id"]: "failing", transfer["backup_product_id"]: "backup"}


async def test_telling_again_doubles_nothing_and_prints_each_roles_key(told):
    platform, data, keys, insurer = told
    before = (await insurer.get("/settlement/invoices", params={"limit": 500})).json()["items"]
    assert await story.tell(platform.admin, data) == keys
    after = (await insurer.get("/settlement/invoices", params={"limit": 500})).json()["items"]
    assert len(after) == len(before) > 0
    assert (await platform.admin.get("/monitoring/clock")).json()["today"] == world.LAST_DAY
    printed = story.guide(platform.url, keys)
    for who in ("exchange", "insurer", *world.HOSPITALS, *world.COMPANIES):
        assert keys[who] in printed, who
