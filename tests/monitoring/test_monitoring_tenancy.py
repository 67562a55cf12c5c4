"""GW-5 and regions for every monitoring route, through the gateway (issue 9, item 9): each
route called as the hospital itself (Chongqing, 500103), a hospital of another province
(Sichuan, 510104), the manufacturer party to both, a foreign company, the exchange, the
Chongqing insurer (500000) and the Sichuan insurer (510000). An allowed caller is served
(never 401/403/404), any other gets a 403 or 404 problem+json and changes nothing; a read
shows each caller only the rows its tenant and region cover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import pytest_asyncio

from testsupport.contracts_setup import is_problem, purchase, today, two_provinces

ACTORS = ("hospital_own", "hospital_foreign", "manufacturer", "company_foreign", "exchange", "insurer_cq",
          "insurer_sc")
INSURERS = {"insurer_cq", "insurer_sc"}


@dataclass
class World:
    market: object
    clients: dict
    own: str
    foreign: str
    manufacturer: str
    product: int
    alert: dict
    breach: dict
    report: dict
    shortage: dict
    complaint: dict


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(shared_platform) -> World:
    market = await two_provinces(shared_platform, distributors=2)
    own, foreign = market.hospitals
    product = market.product_ids[0]
    bought = await purchase(market, own, [(product, 3)])
    await purchase(market, foreign, [(product, 5)])
    clients = {"hospital_own": market.client(own), "hospital_foreign": market.client(foreign),
               "manufacturer": market.client(market.manufacturers[0]),
               "company_foreign": market.client(market.distributors[1]), "exchange": market.exchange,
               "insurer_cq": market.insurer,
               "insurer_sc": shared_platform.client(await shared_platform.issue_key("insurer", "510000"))}
    await shared_platform.settled()
    assert (await market.insurer.post("/monitoring/alert-checks")).status_code == 200
    # the month end just passed finds both hospitals behind (a few units of 100 since June)
    alerts = (await shared_platform.admin.get("/monitoring/alerts", params={
        "batch_code": market.batch, "hospital_code": own, "kind": "behind"})).json()["items"]
    breach = await market.insurer.post("/monitoring/breaches", json={
        "company_code": market.manufacturers[0], "batch_code": market.batch, "kind": "accompanying_service",
        "severity": "一般", "occurred_on": today(), "description": "未按约定提供跟台服务"})
    assert breach.status_code == 201, breach.text
    reported = await market.client(own).post("/monitoring/supply-reports", json={
        "order_id": bought["order"]["id"], "line_no": 1, "kind": "accompanying_service_missing",
        "company_code": market.manufacturers[0], "occurred_on": today(), "description": "跟台人员未到场"})
    assert reported.status_code == 201, reported.text
    short = {}
    for hospital in (own, foreign):
        made = await market.client(hospital).post("/monitoring/shortages", json={
            "product_id": product, "since": today(), "quantity_short": 20, "note": "配送企业无货"})
        assert made.status_code == 201, made.text
        short[hospital] = made.json()
    complained = await clients["manufacturer"].post("/monitoring/obstructions", json={
        "hospital_code": own, "kind": "extra_fees", "occurred_on": today(), "description": "进院收取额外费用"})
    assert complained.status_code == 201, complained.text
    return World(market=market, clients=clients, own=own, foreign=foreign, manufacturer=market.manufacturers[0],
                 product=product, alert=alerts[0], breach=breach.json(), report=reported.json(), shortage=short[own],
                 complaint=complained.json())


@dataclass
class Route:
    name: str
    allowed: frozenset
    call: object                      # async (world, client) -> response
    state: object = None              # async (world) -> anything comparable


async def _alert_state(w):
    return (await w.market.insurer.get("/monitoring/alerts", params={"batch_code": w.market.batch,
                                                                     "hospital_code": w.own})).json()


async def _breach_state(w):
    return (await w.market.insurer.get("/monitoring/breaches", params={"company_code": w.manufacturer})).json()


async def _baseline_state(w):
    return (await w.market.exchange.get("/monitoring/savings", params={"batch_code": w.market.batch})).json()


async def _complaints_state(w):
    return (await w.market.exchange.get("/monitoring/obstructions", params={"hospital_code": w.own})).json()


async def _complaint_state(w):
    return (await w.market.exchange.get(f"/monitoring/obstructions/{w.complaint['id']}")).json()


async def _shortage_state(w):
    return (await w.market.exchange.get(f"/monitoring/shortages/{w.shortage['id']}")).json()


async def _map_and_unmap(w, c):
    """PUT a hand mapping, then DELETE it: the DELETE's answer (an insurer's both succeed)."""
    await c.put("/monitoring/his/mappings/TENANCY-CODE", json={"product_id": w.product})
    return await c.delete("/monitoring/his/mappings/TENANCY-CODE")


READERS = frozenset(ACTORS)
MONTH = today()[:7]
HOSPITALS = frozenset({"hospital_own", "hospital_foreign"})
HIS_ROW = {"med_list_codg": "TENANCY-CODE", "fixmedins_hilist_id": "HC1", "fixmedins_hilist_name": "吻合器",
           "fixmedins_bchno": "TENANCY-1", "spler_name": "某经销部", "manu_lotnum": "L1", "prdr_name": "生产企业",
           "aprvno": "国械注准20160000001", "manu_date": "2026-01-01", "expy_end": "2028-01-01",
           "purc_retn_cnt": "1", "rx_flag": "0", "purc_retn_stoin_time": f"{today()} 09:00:00"}
ROUTES = [
    Route("GET /monitoring/progress", READERS, lambda w, c: c.get("/monitoring/progress")),
    Route("GET /monitoring/alerts", READERS, lambda w, c: c.get("/monitoring/alerts")),
    Route("POST /monitoring/alerts/{id}/acknowledgement", frozenset({"hospital_own", "insurer_cq"}),
          lambda w, c: c.post(f"/monitoring/alerts/{w.alert['id']}/acknowledgement", json={"note": "已核实"}),
          state=_alert_state),
    Route("POST /monitoring/alert-checks", frozenset(INSURERS), lambda w, c: c.post("/monitoring/alert-checks")),
    Route("GET /monitoring/savings", READERS,
          lambda w, c: c.get("/monitoring/savings", params={"batch_code": w.market.batch})),
    Route("POST /monitoring/baseline-prices", frozenset({"exchange"}),
          lambda w, c: c.post("/monitoring/baseline-prices", json={"rows": [
              {"product_id": w.product, "baseline_price": "900.00"}]}), state=_baseline_state),
    Route("POST /monitoring/non-winning-purchases", frozenset({"exchange"}),
          lambda w, c: c.post("/monitoring/non-winning-purchases", json={"rows": []})),
    Route("GET /monitoring/substitutes", READERS, lambda w, c: c.get("/monitoring/substitutes")),
    Route("GET /monitoring/timeliness", READERS, lambda w, c: c.get("/monitoring/timeliness", params={"month": MONTH})),
    Route("GET /monitoring/prepayment-use", READERS, lambda w, c: c.get("/monitoring/prepayment-use")),
    Route("GET /monitoring/performance", READERS,
          lambda w, c: c.get("/monitoring/performance", params={"first": f"{MONTH}-01", "last": today()})),
    Route("GET /monitoring/companies/{code}/rating", frozenset({"manufacturer", "exchange", *INSURERS}),
          lambda w, c: c.get(f"/monitoring/companies/{w.manufacturer}/rating")),
    Route("GET /monitoring/breaches", frozenset({"manufacturer", "company_foreign", "exchange", *INSURERS}),
          lambda w, c: c.get("/monitoring/breaches")),
    Route("POST /monitoring/breaches", frozenset(INSURERS),
          lambda w, c: c.post("/monitoring/breaches", json={
              "company_code": w.manufacturer, "kind": "quality", "severity": "一般", "occurred_on": today(),
              "description": f"质量问题 {uuid.uuid4().hex[:6]}"}), state=_breach_state),
    Route("POST /monitoring/breaches/{id}/exemption", frozenset(INSURERS),
          lambda w, c: c.post(f"/monitoring/breaches/{w.breach['id']}/exemption", json={"reason": "不可抗力"}),
          state=_breach_state),
    Route("GET /monitoring/reports/monthly", frozenset({"exchange", *INSURERS}),
          lambda w, c: c.get("/monitoring/reports/monthly", params={"month": MONTH})),
    Route("GET /monitoring/assessments/{year}", READERS,
          lambda w, c: c.get("/monitoring/assessments/1", params={"batch_code": w.market.batch})),
    Route("POST /monitoring/his/{infno}", HOSPITALS,
          lambda w, c: c.post("/monitoring/his/3503", json={"rows": [HIS_ROW]})),
    Route("POST /monitoring/his/3507", HOSPITALS, lambda w, c: c.post("/monitoring/his/3507", json={
        "data": [{"fixmedins_bchno": "TENANCY-1", "inv_data_type": "3"}]})),
    Route("GET /monitoring/his/off-platform", READERS, lambda w, c: c.get("/monitoring/his/off-platform")),
    Route("GET /monitoring/his/uploads", READERS, lambda w, c: c.get("/monitoring/his/uploads")),
    Route("GET /monitoring/his/unmapped", READERS, lambda w, c: c.get("/monitoring/his/unmapped")),
    Route("GET /monitoring/his/mappings", READERS, lambda w, c: c.get("/monitoring/his/mappings")),
    Route("PUT and DELETE /monitoring/his/mappings/{code}", frozenset(INSURERS), _map_and_unmap),
    Route("POST /monitoring/breaches/{id}/costs", frozenset({"insurer_cq"}),
          lambda w, c: c.post(f"/monitoring/breaches/{w.breach['id']}/costs", json={
              "hospital_code": w.own, "amount": "1200.00", "what_for": "加急配送费", "evidence_ref": "X-1",
              "incurred_on": today()})),
    Route("GET /monitoring/breaches/{id}/costs", frozenset({"manufacturer", "exchange", *INSURERS}),
          lambda w, c: c.get(f"/monitoring/breaches/{w.breach['id']}/costs")),
    Route("POST /monitoring/supply-reports", HOSPITALS, lambda w, c: c.post("/monitoring/supply-reports", json={
        "order_id": 999_999_999, "kind": "late", "occurred_on": today(), "description": "未按时送达"})),
    Route("GET /monitoring/supply-reports", READERS, lambda w, c: c.get("/monitoring/supply-reports")),
    Route("POST /monitoring/supply-reports/{id}/answer", frozenset({"manufacturer"}),
          lambda w, c: c.post(f"/monitoring/supply-reports/{w.report['id']}/answer", json={"answer": "已安排补派"})),
    Route("POST /monitoring/supply-reports/{id}/decision", frozenset({"insurer_cq"}),
          lambda w, c: c.post(f"/monitoring/supply-reports/{w.report['id']}/decision", json={
              "decision": "dismiss", "reason": "医院已确认补派到位"})),
    Route("POST /monitoring/shortages", HOSPITALS | INSURERS, lambda w, c: c.post("/monitoring/shortages", json={
        "product_id": w.product, "since": today(), "quantity_short": 5, "note": "短缺"})),
    Route("GET /monitoring/shortages", READERS, lambda w, c: c.get("/monitoring/shortages")),
    Route("GET /monitoring/shortages/{id}", frozenset({"hospital_own", "manufacturer", "exchange", "insurer_cq"}),
          lambda w, c: c.get(f"/monitoring/shortages/{w.shortage['id']}")),
    Route("POST /monitoring/shortages/{id}/escalation", frozenset({"insurer_cq"}),
          lambda w, c: c.post(f"/monitoring/shortages/{w.shortage['id']}/escalation", json={"note": "区内无法解决"}),
          state=_shortage_state),
    Route("POST /monitoring/shortages/{id}/resolution", frozenset({"insurer_cq"}),
          lambda w, c: c.post(f"/monitoring/shortages/{w.shortage['id']}/resolution", json={
              "action": "restored", "resolution": "恢复供应"}), state=_shortage_state),
    Route("POST /monitoring/obstructions", frozenset({"manufacturer"}), lambda w, c: c.post(
        "/monitoring/obstructions", json={"hospital_code": w.own, "kind": "deposit", "occurred_on": today(),
                                          "description": "要求缴纳质量保证金"}), state=_complaints_state),
    Route("GET /monitoring/obstructions", READERS, lambda w, c: c.get("/monitoring/obstructions")),
    Route("GET /monitoring/obstructions/{id}", frozenset({"hospital_own", "manufacturer", "exchange", "insurer_cq"}),
          lambda w, c: c.get(f"/monitoring/obstructions/{w.complaint['id']}")),
    Route("POST /monitoring/obstructions/{id}/finding", frozenset({"insurer_cq"}),
          lambda w, c: c.post(f"/monitoring/obstructions/{w.complaint['id']}/finding", json={
              "finding": "unsubstantiated", "reason": "未查实"}), state=_complaint_state),
    Route("GET /monitoring/coverage", READERS,
          lambda w, c: c.get("/monitoring/coverage", params={"batch_code": w.market.batch})),
    Route("POST /monitoring/read-model-rebuilds", frozenset(), lambda w, c: c.post("/monitoring/read-model-rebuilds")),
    Route("PUT /monitoring/clock", frozenset(),
          lambda w, c: c.put("/monitoring/clock", json={"now": "2026-01-01T10:00:00+08:00"})),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
class TestGw5EveryMonitoringRouteEveryRole:
    async def test_allowed_callers_are_served_and_others_refused_without_effect(self, world, route, actor):
        before = await route.state(world) if route.state else None
        response = await route.call(world, world.clients[actor])
        assert response.status_code < 500, response.text
        if actor in route.allowed:
            assert response.status_code not in (401, 403, 404), f"{actor} refused: {response.text}"
        else:
            assert response.status_code in (403, 404), f"{actor} got {response.status_code}: {response.text}"
            assert is_problem(response)
            if route.state:
                assert await route.state(world) == before


SEES = {  # which of the two hospitals' rows each caller sees
    "hospital_own": {"own"}, "hospital_foreign": {"foreign"}, "manufacturer": {"own", "foreign"},
    "company_foreign": set(), "exchange": {"own", "foreign"}, "insurer_cq": {"own"}, "insurer_sc": {"foreign"},
}


def seen(world: World, codes) -> set[str]:
    names = {world.own: "own", world.foreign: "foreign"}
    return {names[c] for c in codes if c in names}


@pytest.mark.parametrize("actor", ACTORS)
class TestGw5MonitoringReadsAreScoped:
    async def test_progress_savings_and_assessment_rows(self, world, actor):
        client, batch = world.clients[actor], world.market.batch
        progress = (await client.get("/monitoring/progress", params={"batch_code": batch})).json()["items"]
        assert seen(world, [r["key"]["hospital_code"] for r in progress]) == SEES[actor]
        savings = (await client.get("/monitoring/savings", params={"batch_code": batch})).json()["items"]
        expected = SEES[actor] if actor != "company_foreign" else set()
        assert seen(world, [r["hospital_code"] for r in savings]) == expected
        assessed = (await client.get("/monitoring/assessments/1", params={"batch_code": batch})).json()
        hospitals = set() if actor in ("manufacturer", "company_foreign") else SEES[actor]
        assert seen(world, [h["hospital_code"] for h in assessed["hospitals"]]) == hospitals

    async def test_alerts(self, world, actor):
        alerts = (await world.clients[actor].get("/monitoring/alerts", params={
            "batch_code": world.market.batch, "kind": "behind", "limit": 200})).json()["items"]
        visible = SEES[actor] if actor != "manufacturer" else {"own", "foreign"}
        assert seen(world, [a["hospital_code"] for a in alerts]) == visible

    async def test_company_performance_counts_the_lines_the_caller_covers(self, world, actor):
        rows = (await world.clients[actor].get("/monitoring/performance", params={
            "first": "2026-06-01", "last": today(), "batch_code": world.market.batch})).json()["items"]
        answered = {r["company_code"]: r["lines_answered"] for r in rows}
        assert answered == ({world.manufacturer: len(SEES[actor])} if SEES[actor] else {})

    async def test_the_monthly_report_sums_the_region(self, world, actor):
        response = await world.clients[actor].get("/monitoring/reports/monthly", params={"month": MONTH})
        if actor not in ("exchange", *INSURERS):
            assert response.status_code == 403 and is_problem(response)
            return
        rows = [r for r in response.json()["purchases"] if r["batch_code"] == world.market.batch]
        bought = {"own": 3, "foreign": 5}
        assert sum(r["net_quantity"] for r in rows) == sum(bought[s] for s in SEES[actor])

    async def test_shortages(self, world, actor):
        """MON-12: a hospital its own reports, the manufacturer those of its products, an insurer its region's."""
        response = await world.clients[actor].get("/monitoring/shortages", params={"limit": 500})
        assert response.status_code == 200, response.text
        assert seen(world, [s["hospital_code"] for s in response.json()["items"]]) == SEES[actor]

    async def test_obstructions(self, world, actor):
        """MON-14: a hospital the complaints about it, the company its own, an insurer its region's."""
        response = await world.clients[actor].get("/monitoring/obstructions", params={"limit": 500})
        assert response.status_code == 200, response.text
        expected = {"own"} & SEES[actor] if actor != "manufacturer" else {"own"}
        assert seen(world, [c["hospital_code"] for c in response.json()["items"]]) == expected
