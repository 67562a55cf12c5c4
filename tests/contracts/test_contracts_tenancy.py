"""GW-5 tenant scoping of every contracts route, through the gateway: each route called as
each role — the hospital itself, a foreign hospital, the manufacturer and the distributor
party to it, a foreign company, the exchange and the insurer. An allowed caller gets its
answer (or a business refusal, never 401/403/404); any other gets a 403 or 404
problem+json, and a refused write changes nothing (state read before and after)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from testsupport.contracts_setup import build_market, effective_agreements, is_problem, place_order, today

ACTORS = ("hospital_own", "hospital_foreign", "manufacturer", "distributor", "company_foreign", "exchange", "insurer")


@dataclass
class Tenancy:
    market: object
    clients: dict
    agreement: dict          # (own hospital, manufacturer 0): the signing target
    revocable: dict          # (own hospital, manufacturer 1): the revocation target
    delivery: dict           # an accepted delivery of the own hospital
    product: int
    transfer: dict = field(default_factory=dict)  # the foreign hospital's item of M1's product moved to M0's (CON-7)
    account: dict = field(default_factory=dict)   # the distributor's account request at the own hospital (CON-10)
    made: dict = field(default_factory=dict)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(shared_platform) -> Tenancy:
    market = await build_market(shared_platform, hospitals=2, manufacturers=2, distributors=2, group="G1")
    agreements = await effective_agreements(shared_platform, market)
    own, foreign = market.hospitals
    by_key = {(a["hospital_code"], a["manufacturer_code"]): a for a in agreements}
    clients = {
        "hospital_own": market.client(own), "hospital_foreign": market.client(foreign),
        "manufacturer": market.client(market.manufacturers[0]), "distributor": market.client(market.distributors[0]),
        "company_foreign": market.client(market.distributors[1]),  # a distributor designated nowhere
        "exchange": market.exchange, "insurer": market.insurer,
    }
    world = Tenancy(market=market, clients=clients, agreement=by_key[(own, market.manufacturers[0])],
                    revocable=by_key[(own, market.manufacturers[1])], delivery={},
                    product=market.products[market.manufacturers[0]][0])
    world.delivery = await accepted_delivery(world)
    world.transfer = await foreign_transfer(shared_platform, market)
    asked = await clients["distributor"].post("/contracts/account-openings", json={"hospital_code": own})
    assert asked.status_code == 201, asked.text
    world.account = asked.json()
    return world


async def foreign_transfer(platform, market) -> dict:
    """M1's product fails; M0's (the product every other route orders) is its backup, and the
    foreign hospital's item moves to it — so the own hospital's orders are untouched."""
    failing, backup = market.products[market.manufacturers[1]][0], market.products[market.manufacturers[0]][0]
    designated = await market.insurer.post(f"/catalog/products/{failing}/backups", json={
        "backup_product_id": backup, "region_code": "500103", "reason": "断供"})
    assert designated.status_code == 201, designated.text
    await platform.settled()
    moved = await market.insurer.post("/contracts/transfers", json={
        "failing_product_id": failing, "backup_product_id": backup, "hospital_codes": [market.hospitals[1]],
        "reason": "断供"})
    assert moved.status_code == 201, moved.text
    return moved.json()["transfers"][0]


async def pending_order(world: Tenancy) -> dict:
    placed = await place_order(world.market, world.market.hospitals[0], [(world.product, 2)])
    assert placed.status_code == 201, placed.text
    return placed.json()


async def confirmed_order(world: Tenancy) -> dict:
    order = await pending_order(world)
    confirmed = await world.clients["distributor"].post(f"/contracts/orders/{order['id']}/confirmation",
                                                        json={"lines": [{"line_no": 1, "decision": "confirm"}]})
    assert confirmed.status_code == 200, confirmed.text
    return order


async def delivery(world: Tenancy) -> dict:
    order = await confirmed_order(world)
    delivered = await world.clients["distributor"].post("/contracts/deliveries", json={
        "order_id": order["id"], "delivered_on": today(), "lines": [{"line_no": 1, "quantity": 2, "lot": "L1"}]})
    assert delivered.status_code == 201, delivered.text
    return delivered.json()


async def accepted_delivery(world: Tenancy) -> dict:
    made = await delivery(world)
    accepted = await world.clients["hospital_own"].post(f"/contracts/deliveries/{made['id']}/acceptance", json={
        "accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": 2}]})
    assert accepted.status_code == 200, accepted.text
    return accepted.json()


def order_body(world: Tenancy) -> dict:
    return {"his_order_no": f"T-{uuid.uuid4().hex[:12]}", "lines": [
        {"line_no": 1, "product_id": world.product, "quantity": 1, "unit_price": world.market.prices[world.product]}]}


async def own_orders(world: Tenancy) -> list:
    return (await world.clients["hospital_own"].get("/contracts/orders", params={"limit": 200})).json()["items"]


@dataclass
class Route:
    """One contracts write or read: how to make its target, call it, and read its state."""

    name: str
    allowed: frozenset
    call: object                      # async (world, client, target) -> response
    target: object = None             # async (world) -> target
    state: object = None              # async (world, target) -> anything comparable


async def _agreement_state(world, target):
    return (await world.market.exchange.get(f"/contracts/agreements/{target['id']}")).json()


async def _order_state(world, target):
    return (await world.market.exchange.get(f"/contracts/orders/{target['id']}")).json()


async def _delivery_state(world, target):
    return (await world.market.exchange.get(f"/contracts/deliveries/{target['id']}")).json()


async def _volumes_state(world, target):
    return (await world.market.exchange.get("/contracts/agreed-volumes", params={"batch": world.market.batch})).json()


async def _agreements_state(world, target):
    return (await world.market.exchange.get("/contracts/agreements", params={"batch": world.market.batch})).json()


async def _orders_state(world, target):
    return await own_orders(world)


async def _accounts_state(world, target):
    return (await world.market.exchange.get("/contracts/account-openings", params={"limit": 200})).json()


async def _defaults_state(world, target):
    return (await world.market.exchange.get("/contracts/default-distributors",
                                            params={"batch_code": world.market.batch})).json()


async def _transfers_state(world, target):
    return (await world.market.exchange.get("/contracts/transfers", params={"limit": 200})).json()


async def _a_transfer(world):
    return world.transfer


async def _signing(world):
    return world.agreement


async def _revocable(world):
    return world.revocable


async def _existing_delivery(world):
    return world.delivery


OVERSEERS = {"exchange", "insurer"}

ROUTES = [
    Route("POST /contracts/agreed-volumes", frozenset(OVERSEERS),
          lambda w, c, t: c.post("/contracts/agreed-volumes", json={"rows": [
              {"batch_code": w.market.batch, "agreement_year": 1, "hospital_code": w.market.hospitals[0],
               "product_id": w.product, "quantity": 100 if c in (w.clients["exchange"], w.clients["insurer"]) else 1}]}),
          state=_volumes_state),
    Route("POST /contracts/agreements/generation", frozenset(OVERSEERS),
          lambda w, c, t: c.post("/contracts/agreements/generation",
                                 json={"batch_code": w.market.batch, "agreement_year": 1}),
          state=_agreements_state),
    Route("GET /contracts/agreements/{id}", frozenset({"hospital_own", "manufacturer", "distributor", *OVERSEERS}),
          lambda w, c, t: c.get(f"/contracts/agreements/{t['id']}"), target=_signing),
    Route("POST /contracts/agreements/{id}/distributor", frozenset({"manufacturer"}),
          lambda w, c, t: c.post(f"/contracts/agreements/{t['id']}/distributor",
                                 json={"distributor_code": w.market.distributors[1]}),
          target=_signing, state=_agreement_state),
    Route("POST /contracts/agreements/{id}/service-option", frozenset({"hospital_own"}),
          lambda w, c, t: c.post(f"/contracts/agreements/{t['id']}/service-option", json={"with_service": False}),
          target=_signing, state=_agreement_state),
    Route("POST /contracts/agreements/{id}/signatures", frozenset({"hospital_own", "manufacturer", "distributor"}),
          lambda w, c, t: c.post(f"/contracts/agreements/{t['id']}/signatures",
                                 json={"content_sha256": t["content_sha256"]}),
          target=_signing, state=_agreement_state),
    Route("POST /contracts/agreements/{id}/distributor-revocation", frozenset(OVERSEERS),
          lambda w, c, t: c.post(f"/contracts/agreements/{t['id']}/distributor-revocation", json={"reason": "核实"}),
          target=_revocable, state=_agreement_state),
    Route("POST /contracts/orders", frozenset({"hospital_own", "hospital_foreign"}),
          lambda w, c, t: c.post("/contracts/orders", json=order_body(w)), state=_orders_state),
    Route("POST /contracts/orders/bulk", frozenset({"hospital_own", "hospital_foreign"}),
          lambda w, c, t: c.post("/contracts/orders/bulk", json={"orders": [order_body(w)]}), state=_orders_state),
    Route("GET /contracts/orders/{id}", frozenset({"hospital_own", "manufacturer", "distributor", *OVERSEERS}),
          lambda w, c, t: c.get(f"/contracts/orders/{t['id']}"), target=pending_order),
    Route("POST /contracts/orders/{id}/confirmation", frozenset({"distributor"}),
          lambda w, c, t: c.post(f"/contracts/orders/{t['id']}/confirmation",
                                 json={"lines": [{"line_no": 1, "decision": "confirm"}]}),
          target=pending_order, state=_order_state),
    Route("POST /contracts/deliveries", frozenset({"distributor"}),
          lambda w, c, t: c.post("/contracts/deliveries", json={
              "order_id": t["id"], "delivered_on": today(), "lines": [{"line_no": 1, "quantity": 1, "lot": "L"}]}),
          target=confirmed_order, state=_order_state),
    Route("GET /contracts/deliveries/{id}", frozenset({"hospital_own", "distributor", *OVERSEERS}),
          lambda w, c, t: c.get(f"/contracts/deliveries/{t['id']}"), target=_existing_delivery),
    Route("POST /contracts/deliveries/{id}/acceptance", frozenset({"hospital_own"}),
          lambda w, c, t: c.post(f"/contracts/deliveries/{t['id']}/acceptance", json={
              "accepted_on": today(), "lines": [{"line_no": 1, "accepted_quantity": 1}]}),
          target=delivery, state=_delivery_state),
    Route("POST /contracts/returns", frozenset({"hospital_own"}),
          lambda w, c, t: c.post("/contracts/returns", json={
              "delivery_id": t["id"], "line_no": 1, "quantity": 1, "reason": "破损", "returned_on": today()}),
          target=accepted_delivery, state=_delivery_state),
    # the insurer's call is refused as no backup (a business refusal): the world's orders stay as they are
    Route("POST /contracts/transfers", frozenset({"insurer"}),
          lambda w, c, t: c.post("/contracts/transfers", json={
              "failing_product_id": w.product, "backup_product_id": w.product, "reason": "断供"}),
          state=_transfers_state),
    Route("PUT /contracts/default-distributors", frozenset({"manufacturer"}),
          lambda w, c, t: c.put("/contracts/default-distributors", json={
              "batch_code": w.market.batch, "region_code": "500000", "distributor_code": w.market.distributors[0]}),
          state=_defaults_state),
    Route("GET /contracts/default-distributors", frozenset(ACTORS),
          lambda w, c, t: c.get("/contracts/default-distributors", params={"batch_code": w.market.batch})),
    Route("POST /contracts/account-openings", frozenset({"distributor"}),
          lambda w, c, t: c.post("/contracts/account-openings", json={"hospital_code": w.market.hospitals[0]}),
          state=_accounts_state),
    Route("GET /contracts/account-openings/{id}", frozenset({"hospital_own", "distributor", *OVERSEERS}),
          lambda w, c, t: c.get(f"/contracts/account-openings/{w.account['id']}")),
    Route("POST /contracts/account-openings/{id}/opening", frozenset({"hospital_own"}),
          lambda w, c, t: c.post(f"/contracts/account-openings/{w.account['id']}/opening", json={}),
          state=_accounts_state),
    Route("GET /contracts/transfers/{id}", frozenset({"hospital_foreign", "manufacturer", "distributor", *OVERSEERS}),
          lambda w, c, t: c.get(f"/contracts/transfers/{t['id']}"), target=_a_transfer),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
class TestGw5EveryRouteEveryRole:
    async def test_allowed_callers_are_served_and_others_refused_without_effect(self, world, route, actor):
        target = await route.target(world) if route.target else None
        before = await route.state(world, target) if route.state else None
        response = await route.call(world, world.clients[actor], target)
        assert response.status_code < 500, response.text
        if actor in route.allowed:
            assert response.status_code not in (401, 403, 404), f"{actor} refused: {response.text}"
        else:
            assert response.status_code in (403, 404), f"{actor} got {response.status_code}: {response.text}"
            assert is_problem(response)
            if route.state:
                assert await route.state(world, target) == before


LIST_VIEWS = {
    # who sees which of the own hospital's and the foreign hospital's rows
    "hospital_own": {"own"}, "hospital_foreign": {"foreign"}, "manufacturer": {"own", "foreign"},
    "distributor": {"own", "foreign"}, "company_foreign": set(), "exchange": {"own", "foreign"},
    "insurer": {"own", "foreign"},
}


@pytest.mark.parametrize("actor", ACTORS)
class TestGw5ListsAreScoped:
    async def test_agreed_volumes(self, world, actor):
        response = await world.clients[actor].get("/contracts/agreed-volumes", params={"batch": world.market.batch})
        if actor in ("manufacturer", "distributor", "company_foreign"):
            assert response.status_code == 403 and is_problem(response)
            return
        own, foreign = world.market.hospitals
        seen = {v["hospital_code"] for v in response.json()["items"]}
        expected = {"own": own, "foreign": foreign}
        assert seen == {expected[k] for k in LIST_VIEWS[actor]}

    async def test_agreements(self, world, actor):
        response = await world.clients[actor].get("/contracts/agreements", params={"batch": world.market.batch})
        assert response.status_code == 200, response.text
        own, foreign = world.market.hospitals
        seen = {(a["hospital_code"], a["manufacturer_code"]) for a in response.json()["items"]}
        m0, m1 = world.market.manufacturers
        everything = {(h, m) for h in (own, foreign) for m in (m0, m1)}
        # the revocation case may have removed the distributor from one of the own agreements
        if actor == "manufacturer":
            assert seen == {(own, m0), (foreign, m0)}
        elif actor == "distributor":
            assert {(own, m0), (foreign, m0), (foreign, m1)} <= seen <= everything
        else:
            wanted = {"own": {(own, m0), (own, m1)}, "foreign": {(foreign, m0), (foreign, m1)}}
            assert seen == set().union(*(wanted[k] for k in LIST_VIEWS[actor]))

    async def test_orders(self, world, actor):
        mine = await pending_order(world)
        theirs = await place_order(world.market, world.market.hospitals[1], [(world.product, 1)])
        assert theirs.status_code == 201, theirs.text
        ids, cursor = set(), None
        while True:  # every page: the bureau sees every hospital's orders of the whole platform
            response = await world.clients[actor].get("/contracts/orders", params={
                "limit": 200, **({"cursor": cursor} if cursor else {})})
            assert response.status_code == 200, response.text
            ids |= {o["id"] for o in response.json()["items"]}
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
        visible = {k for k, order in (("own", mine), ("foreign", theirs.json())) if order["id"] in ids}
        assert visible == LIST_VIEWS[actor]

    async def test_transfers(self, world, actor):
        """CON-7: the foreign hospital's transfer is seen by it, by the backup's manufacturer and
        the distributor it routes to, and by the bureau."""
        response = await world.clients[actor].get("/contracts/transfers", params={"limit": 200})
        assert response.status_code == 200, response.text
        seen = {t["id"] for t in response.json()["items"]}
        assert (world.transfer["id"] in seen) == ("foreign" in LIST_VIEWS[actor]), seen
