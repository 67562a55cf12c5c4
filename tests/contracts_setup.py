"""A batch, parties, a product and an effective agreement, built through the gateway —
the state every contracts flow starts from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from vbp_catalog.uscc import check_character


def credit_code() -> str:
    """A fresh unified social credit code with a correct check character (CAT-9)."""
    digits = uuid.uuid4().int
    body = "91" + "".join("0123456789ABCDEFGHJKLMNPQRTUWXY"[(digits >> (5 * i)) % 31] for i in range(15))
    return body + check_character(body)


@dataclass
class World:
    batch: str
    hospital: str
    manufacturer: str
    distributor: str
    product_id: int
    exchange: object
    hospital_client: object
    manufacturer_client: object
    distributor_client: object


async def build_world(platform, *, preset: str = "chongqing-2025", starts_on: str = "2026-06-01",
                      cycle_years: int = 2, overrides: dict | None = None, price: str = "680",
                      service_price: str = "50") -> World:
    admin = platform.admin
    tag = uuid.uuid4().hex[:8]
    batch, hospital = f"B-{tag}", f"H{tag}"
    manufacturer, distributor = credit_code(), credit_code()
    created = await admin.post("/catalog/batches", json={
        "code": batch, "name": "测试批次", "kind": "consumable", "organiser_level": "provincial",
        "document_no": "渝医保办〔2025〕32号", "starts_on": starts_on, "cycle_years": cycle_years,
        "preset": preset, "policy_overrides": overrides or {}})
    assert created.status_code == 201, created.text
    assert (await admin.post("/catalog/institutions", json={"rows": [
        {"code": hospital, "name": "测试医院", "level": 3, "kind": "public", "region_code": "500103"}]})).status_code == 200
    assert (await admin.post("/catalog/companies", json={"rows": [
        {"credit_code": manufacturer, "name": "生产企业", "roles": ["manufacturer"]},
        {"credit_code": distributor, "name": "配送企业", "roles": ["distributor"]}]})).status_code == 200
    pushed = await admin.post(f"/catalog/batches/{batch}/products", json={"rows": [{
        "registration_no": "国械注准20163132305", "name": "吻合器", "applicant": "生产企业",
        "applicant_credit_code": manufacturer, "registrant": "生产企业",
        "product_price": price, "service_price": service_price}]})
    assert pushed.json()["created"] == 1, pushed.text
    product_id = (await admin.get("/catalog/products", params={"batch": batch})).json()["items"][0]["id"]
    exchange = platform.client(await platform.issue_key("exchange", "CQ-EXCHANGE"))
    world = World(
        batch=batch, hospital=hospital, manufacturer=manufacturer, distributor=distributor, product_id=product_id,
        exchange=exchange,
        hospital_client=platform.client(await platform.issue_key("hospital", hospital)),
        manufacturer_client=platform.client(await platform.issue_key("company", manufacturer)),
        distributor_client=platform.client(await platform.issue_key("company", distributor)),
    )

    async def contracts_knows_everything():
        response = await exchange.post("/contracts/agreed-volumes", json={"rows": [
            {"batch_code": batch, "agreement_year": 1, "hospital_code": hospital, "product_id": product_id,
             "quantity": 100}]})
        assert response.status_code == 200 and not response.json()["errors"], response.text

    await platform.eventually(contracts_knows_everything)
    return world


async def effective_agreement(platform, world: World, year: int = 1) -> dict:
    generated = await world.exchange.post("/contracts/agreements/generation",
                                          json={"batch_code": world.batch, "agreement_year": year})
    assert generated.status_code == 200, generated.text
    agreement_id = generated.json()["agreements"][0]

    async def designated():
        response = await world.manufacturer_client.post(f"/contracts/agreements/{agreement_id}/distributor",
                                                        json={"distributor_code": world.distributor})
        assert response.status_code == 200, response.text

    await platform.eventually(designated)
    digest = (await world.hospital_client.get(f"/contracts/agreements/{agreement_id}")).json()["content_sha256"]
    for client in (world.hospital_client, world.manufacturer_client, world.distributor_client):
        signed = await client.post(f"/contracts/agreements/{agreement_id}/signatures", json={"content_sha256": digest})
        assert signed.status_code == 201, signed.text
    agreement = (await world.exchange.get(f"/contracts/agreements/{agreement_id}")).json()
    assert agreement["status"] == "effective"
    return agreement
