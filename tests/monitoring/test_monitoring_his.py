"""MON-11 through the gateway: a HIS sends a month of national 3503 rows in the national
envelope, an insurer maps its code and reads what was bought off the platform (seeds
000/002/004 不得线下采购), JSON and `.xlsx`, each caller seeing only its own hospitals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from io import BytesIO

import pytest_asyncio
from openpyxl import load_workbook

from testsupport.contracts_setup import is_problem, purchase, today, two_provinces


@dataclass
class World:
    market: object
    own: str
    foreign: str
    product: int
    code: str
    sichuan: object


def row(code: str, bchno: str, quantity: str, price: str = "730") -> dict:
    return {"med_list_codg": code, "fixmedins_hilist_id": "HC1", "fixmedins_hilist_name": "吻合器",
            "fixmedins_bchno": bchno, "spler_name": "某经销部", "manu_lotnum": "L1", "prdr_name": "生产企业",
            "aprvno": "国械注准20160000001", "manu_date": "2026-01-01", "expy_end": "2028-01-01",
            "finl_trns_pric": price, "purc_retn_cnt": quantity, "rx_flag": "0",
            "purc_retn_stoin_time": f"{today()} 09:00:00", "purc_retn_opter_name": "经办人"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(shared_platform) -> World:
    market = await two_provinces(shared_platform)
    own, foreign = market.hospitals
    product = market.product_ids[0]
    await purchase(market, own, [(product, 3)])
    await shared_platform.settled()
    sichuan = shared_platform.client(await shared_platform.issue_key("insurer", "510000"))
    return World(market=market, own=own, foreign=foreign, product=product, code=f"HIS{uuid.uuid4().hex[:12]}",
                 sichuan=sichuan)


async def test_mon11_a_his_month_through_the_gateway_and_the_off_platform_report(world):
    """The own hospital bought 3 on the platform and its HIS stocked in 5: 2 off the platform."""
    market, his = world.market, world.market.client(world.own)
    mapped = await market.insurer.put(f"/monitoring/his/mappings/{world.code}", json={
        "product_id": world.product, "his_units_per_unit": "1", "note": "吻合器"})
    assert mapped.status_code == 200, mapped.text
    envelope = {"infno": "3503", "msgid": f"{world.own}0001", "opter_name": "经办人",
                "input": {"purcinfo": [row(world.code, "CG1", "5")]}}
    sent = await his.post("/monitoring/his/3503", json=envelope)
    assert (sent.status_code, sent.json()["created"]) == (200, 1), sent.text
    again = await his.post("/monitoring/his/3503", json=envelope)
    assert (again.status_code, again.json()["unchanged"]) == (200, 1), again.text
    changed = await his.post("/monitoring/his/3503", json=[row(world.code, "CG1", "6")])
    assert changed.status_code == 409 and is_problem(changed), changed.text
    assert changed.json()["errors"][0]["field"] == "body.0.fixmedins_bchno"
    refused = await market.client(market.manufacturers[0]).post("/monitoring/his/3503", json=envelope)
    assert refused.status_code == 403 and is_problem(refused)
    other = await market.client(world.foreign).post("/monitoring/his/3503", json={"rows": [
        row(world.code, "CG1", "4")]})
    assert other.status_code == 200, other.text  # the same bchno is the other hospital's own key

    month = today()[:7]

    async def report(client, **params):
        answer = await client.get("/monitoring/his/off-platform", params={"month": month, **params})
        assert answer.status_code == 200, answer.text
        return {r["hospital_code"]: r for r in answer.json()["items"] if r["product_id"] == world.product}

    found = await report(market.insurer)
    assert set(found) == {world.own}  # Chongqing's insurer: the Sichuan hospital is not in its region
    mine = found[world.own]
    assert (mine["his_net"], mine["platform_net"], mine["off_platform"], mine["alert"], mine["hospital_name"]) == (
        "5.0000", "3.0000", "2.0000", True, "测试医院0")
    assert set(await report(world.sichuan)) == {world.foreign}
    assert set(await report(his)) == {world.own}
    assert await report(his, hospital_code=world.foreign) == {}
    assert await report(market.client(market.manufacturers[0])) == {}

    workbook = await market.insurer.get("/monitoring/his/off-platform", params={"month": month, "format": "xlsx"})
    assert workbook.status_code == 200, workbook.text
    book = load_workbook(BytesIO(workbook.content))
    sheet = book.worksheets[1]
    labels, names, *rows = list(sheet.iter_rows(values_only=True))
    assert book.sheetnames[0] == "说明" and labels[names.index("off_platform")] == "线下采购量"
    [ours] = [r for r in rows if r[names.index("hospital_code")] == world.own and r[names.index("product_id")]
              == world.product]
    assert float(ours[names.index("off_platform")]) == 2.0

    uploads = await market.insurer.get("/monitoring/his/uploads", params={"month": month,
                                                                          "hospital_code": world.own})
    [status] = uploads.json()["items"]
    assert (status["status"], status["rows"]) == ("on_time", {"purchase": 1})


async def test_mon11_a_bad_row_is_named_and_an_unknown_query_refused(world):
    his = world.market.client(world.own)
    bad = await his.post("/monitoring/his/3503", json={"purcinfo": [{**row(world.code, "CG-BAD", "1"),
                                                                     "purc_retn_cnt": "1.00001"}]})
    assert bad.status_code == 422 and is_problem(bad)
    [error] = bad.json()["errors"]
    assert error["field"] == "body.purcinfo.0.purc_retn_cnt" and "数值型 16,4" in error["reason"]
    unknown = await world.market.insurer.get("/monitoring/his/off-platform", params={"hospital": world.own})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "query.hospital"
