"""A batch, parties, a product and an effective agreement, built through the gateway —
the state every contracts flow starts from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from vbp_catalog.uscc import check_character
from vbpkit.runtime.clock import SHANGHAI
from testsupport import shared_database


def today() -> str:
    """Today in Asia/Shanghai, as the shared platform's (real) clock sees it: no delivery,
    acceptance or return may be dated after it, nor before the order (CON-5)."""
    return datetime.now(SHANGHAI).date().isoformat()


def credit_code() -> str:
    """A fresh unified social credit code with a correct check character (CAT-9): digits in
    the first 8 places (department, kind, region code), as python-stdnum requires."""
    digits = uuid.uuid4().int
    body = "91" + f"{digits % 10**6:06d}" + "".join(
        "0123456789ABCDEFGHJKLMNPQRTUWXY"[(digits >> (20 + 5 * i)) % 31] for i in range(9))
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


# --- a market: several hospitals, manufacturers, products and distributors -------------------

_registration_numbers = iter(range(20160000001, 20169999999))


@dataclass
class Market:
    """One batch with its parties, each with a gateway client, ready for contracts flows."""

    batch: str
    hospitals: list[str]
    manufacturers: list[str]
    distributors: list[str]
    products: dict[str, list[int]]
    prices: dict[int, str]
    exchange: object
    insurer: object
    clients: dict[str, object]

    def client(self, code: str):
        return self.clients[code]

    @property
    def product_ids(self) -> list[int]:
        return [p for ids in self.products.values() for p in ids]

    def manufacturer_of(self, product_id: int) -> str:
        return next(m for m, ids in self.products.items() if product_id in ids)


async def build_market(platform, *, preset: str = "chongqing-2025", starts_on: str = "2026-06-01",
                       cycle_years: int = 2, overrides: dict | None = None, hospitals: int = 1,
                       manufacturers: int = 1, products_each: int = 1, distributors: int = 1,
                       year1: dict[tuple[int, int], int] | None = None, quantity: int = 100,
                       region_code: str = "500103", group: str | None = None) -> Market:
    """A batch of ``manufacturers`` × ``products_each`` winning products (product k of all is
    priced 680 + 10k, service 50), registered hospitals (level 3, in ``region_code``) and
    distributors, and year-1 agreed volumes: ``year1`` maps (hospital index, product index) →
    quantity; by default every hospital agrees ``quantity`` of every product. ``group``: every
    product in that group (CAT-2), as a backup must be (CAT-13)."""
    admin = platform.admin
    tag = uuid.uuid4().hex[:8]
    batch = f"B-{tag}"
    hospital_codes = [f"H{tag}{i}" for i in range(hospitals)]
    manufacturer_codes = [credit_code() for _ in range(manufacturers)]
    distributor_codes = [credit_code() for _ in range(distributors)]
    created = await admin.post("/catalog/batches", json={
        "code": batch, "name": "测试批次", "kind": "consumable", "organiser_level": "provincial",
        "document_no": "渝医保办〔2025〕32号", "starts_on": starts_on, "cycle_years": cycle_years,
        "preset": preset, "policy_overrides": overrides or {}})
    assert created.status_code == 201, created.text
    registered = await admin.post("/catalog/institutions", json={"rows": [
        {"code": h, "name": f"测试医院{i}", "level": 3, "kind": "public", "region_code": region_code}
        for i, h in enumerate(hospital_codes)]})
    assert registered.status_code == 200 and not registered.json()["errors"], registered.text
    companies = await admin.post("/catalog/companies", json={"rows": [
        *({"credit_code": m, "name": f"生产企业{tag}{i}", "roles": ["manufacturer"]}
          for i, m in enumerate(manufacturer_codes)),
        *({"credit_code": d, "name": f"配送企业{tag}{i}", "roles": ["distributor"]}
          for i, d in enumerate(distributor_codes))]})
    assert companies.status_code == 200 and not companies.json()["errors"], companies.text
    rows = []
    for i, manufacturer in enumerate(manufacturer_codes):
        for _ in range(products_each):
            k = len(rows)
            rows.append({"registration_no": f"国械注准{next(_registration_numbers):011d}", "name": f"吻合器{k}",
                         "applicant": f"生产企业{tag}{i}", "applicant_credit_code": manufacturer,
                         "registrant": f"生产企业{tag}{i}", "product_price": str(680 + 10 * k),
                         "service_price": "50", **({"group": group} if group else {})})
    pushed = await admin.post(f"/catalog/batches/{batch}/products", json={"rows": rows},
                              params={"create_groups": "true"} if group else None)
    assert pushed.status_code == 200 and pushed.json()["created"] == len(rows), pushed.text
    listed = (await admin.get("/catalog/products", params={"batch": batch, "limit": 200})).json()["items"]
    by_registration = {p["registration_no"]: p for p in listed}
    ordered = [by_registration[r["registration_no"]] for r in rows]
    products: dict[str, list[int]] = {m: [] for m in manufacturer_codes}
    for row, product in zip(rows, ordered):
        products[row["applicant_credit_code"]].append(product["id"])
    clients = {h: platform.client(await platform.issue_key("hospital", h)) for h in hospital_codes}
    for code in manufacturer_codes + distributor_codes:
        clients[code] = platform.client(await platform.issue_key("company", code))
    market = Market(
        batch=batch, hospitals=hospital_codes, manufacturers=manufacturer_codes, distributors=distributor_codes,
        products=products, prices={p["id"]: f"{680 + 10 * k + 50}.00" for k, p in enumerate(ordered)},
        exchange=platform.client(await platform.issue_key("exchange", "CQ-EXCHANGE")),
        insurer=platform.client(await platform.issue_key("insurer", "500000")), clients=clients)
    product_ids = market.product_ids
    wanted = year1 if year1 is not None else {
        (h, p): quantity for h in range(hospitals) for p in range(len(product_ids))}

    async def contracts_knows_everything():
        response = await market.exchange.post("/contracts/agreed-volumes", json={"rows": [
            {"batch_code": batch, "agreement_year": 1, "hospital_code": hospital_codes[h],
             "product_id": product_ids[p], "quantity": q} for (h, p), q in sorted(wanted.items())]})
        assert response.status_code == 200 and not response.json()["errors"], response.text

    await platform.eventually(contracts_knows_everything)
    return market


async def two_provinces(platform, **market_options) -> Market:
    """A market of two hospitals with effective agreements, the second moved to Sichuan
    (510104) while the first stays in Chongqing (500103): reads scoped by region tell them apart."""
    market = await build_market(platform, hospitals=2, **market_options)
    moved = await platform.admin.post("/catalog/institutions", json={"rows": [
        {"code": market.hospitals[1], "name": "四川测试医院", "level": 3, "kind": "public", "region_code": "510104"}]})
    assert moved.status_code == 200 and not moved.json()["errors"], moved.text
    await effective_agreements(platform, market)
    return market


async def set_volumes(market: Market, year: int, quantities: dict[tuple[int, int], int]) -> dict:
    """Agreed volumes of ``year``: (hospital index, product index) → quantity."""
    product_ids = market.product_ids
    response = await market.exchange.post("/contracts/agreed-volumes", json={"rows": [
        {"batch_code": market.batch, "agreement_year": year, "hospital_code": market.hospitals[h],
         "product_id": product_ids[p], "quantity": q} for (h, p), q in sorted(quantities.items())]})
    assert response.status_code == 200 and not response.json()["errors"], response.text
    return response.json()


async def generate(market: Market, year: int = 1):
    """POST the generation of ``year``; the raw response (a renewal violation is a 422)."""
    return await market.exchange.post("/contracts/agreements/generation",
                                      json={"batch_code": market.batch, "agreement_year": year})


async def designate_and_sign(platform, market: Market, agreement_id: int, distributor: str | None = None) -> dict:
    """The manufacturer designates ``distributor`` (default: the first), then all three sign."""
    distributor = distributor or market.distributors[0]
    agreement = (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()
    manufacturer = market.client(agreement["manufacturer_code"])

    async def designated():
        response = await manufacturer.post(f"/contracts/agreements/{agreement_id}/distributor",
                                           json={"distributor_code": distributor})
        assert response.status_code == 200, response.text

    if agreement["distributor_code"] != distributor:
        await platform.eventually(designated)
    digest = (await market.exchange.get(f"/contracts/agreements/{agreement_id}")).json()["content_sha256"]
    for code in (agreement["hospital_code"], agreement["manufacturer_code"], distributor):
        signed = await market.client(code).post(f"/contracts/agreements/{agreement_id}/signatures",
                                                json={"content_sha256": digest})
        assert signed.status_code == 201, signed.text
    return signed.json()


async def effective_agreements(platform, market: Market, year: int = 1) -> list[dict]:
    """Generate ``year`` and make every agreement effective with the first distributor."""
    generated = await generate(market, year)
    assert generated.status_code == 200, generated.text
    agreements = [await designate_and_sign(platform, market, a) for a in generated.json()["agreements"]]
    assert {a["status"] for a in agreements} == {"effective"}
    return agreements


async def place_order(market: Market, hospital: str, lines: list[tuple[int, int]], his_order_no: str | None = None):
    """An order at the winning prices: ``lines`` are (product id, quantity)."""
    return await market.client(hospital).post("/contracts/orders", json={
        "his_order_no": his_order_no or f"HIS-{uuid.uuid4().hex[:12]}",
        "lines": [{"line_no": n, "product_id": p, "quantity": q, "unit_price": market.prices[p]}
                  for n, (p, q) in enumerate(lines, start=1)]})


async def purchase(market: Market, hospital: str, lines: list[tuple[int, int]], *, delivered_on: str | None = None,
                   accepted_on: str | None = None) -> dict:
    """Order, confirm, deliver everything and accept everything: the purchase recorded (CON-5).
    Returns the order and the deliveries (one per distributor)."""
    delivered_on, accepted_on = delivered_on or today(), accepted_on or today()
    placed = await place_order(market, hospital, lines)
    assert placed.status_code == 201, placed.text
    order = placed.json()
    by_distributor: dict[str, list[dict]] = {}
    for line in order["lines"]:
        by_distributor.setdefault(line["distributor_code"], []).append(line)
    deliveries = []
    for distributor, routed in by_distributor.items():
        client = market.client(distributor)
        confirmed = await client.post(f"/contracts/orders/{order['id']}/confirmation", json={
            "lines": [{"line_no": l["line_no"], "decision": "confirm"} for l in routed]})
        assert confirmed.status_code == 200, confirmed.text
        delivered = await client.post("/contracts/deliveries", json={
            "order_id": order["id"], "delivered_on": delivered_on,
            "lines": [{"line_no": l["line_no"], "quantity": l["quantity"], "lot": "LOT-1"} for l in routed]})
        assert delivered.status_code == 201, delivered.text
        accepted = await market.client(hospital).post(f"/contracts/deliveries/{delivered.json()['id']}/acceptance", json={
            "accepted_on": accepted_on,
            "lines": [{"line_no": l["line_no"], "accepted_quantity": l["quantity"]} for l in routed]})
        assert accepted.status_code == 200, accepted.text
        deliveries.append(accepted.json())
    return {"order": order, "deliveries": deliveries}


async def contracts_events(pg_server: str, event_type: str, key: str) -> list[dict]:
    """The data of the contracts outbox events of one type and key, in order."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from vbptools.embedded import server_url_to_async

    engine = create_async_engine(server_url_to_async(pg_server, shared_database("contracts")))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT envelope FROM outbox WHERE type = :t AND key = :k ORDER BY id"), {"t": event_type, "k": key})
            return [r[0]["data"] for r in rows]
    finally:
        await engine.dispose()


def is_problem(response) -> bool:
    return response.headers.get("content-type", "").startswith("application/problem+json")
