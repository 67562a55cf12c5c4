"""Issue 23, item 3: the lists people filter — orders and agreements by hospital, company,
batch, status and (orders) the day placed — each within the caller's scope as before: a filter
narrows what the caller may see and never widens it. A parameter a route does not take is a
422 naming it (it once returned another hospital's orders, silently unfiltered)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import httpx
import pytest
from vbp_contracts.agreements.models import Agreement, AgreementItem
from vbp_contracts.main import create_app
from vbp_contracts.settings import ContractsSettings
from vbpkit.domain.policy import policy_from_preset
from vbpkit.projections.catalog_view.models import BatchView, ProductView
from vbpkit.projections.registry.models import InstitutionView, fund_for_level
from vbpkit.web.identity import Principal, Role

from testsupport import EXCHANGE, SignedClient

BATCH, OTHER_BATCH = "LM-HCDL-2025-1", "LM-HCDL-2025-2"
MANUFACTURER, OTHER_MANUFACTURER = "91500000MA5U0000A1", "91500000MA5U0000B2"
DISTRIBUTOR = "91500000MA5U0000D4"
HOSPITALS = ("H500101001", "H500101002")


@pytest.fixture
async def contracts(service_client):
    """On 2025-07-01: each hospital has an effective agreement with MANUFACTURER for product 1
    of BATCH and one with OTHER_MANUFACTURER for product 2 of OTHER_BATCH, DISTRIBUTOR for all."""
    client = await service_client(create_app, ContractsSettings, principal=EXCHANGE, consumers_enabled=False,
                                  clock="frozen:2025-07-01T10:00:00+08:00")
    now = datetime.now(timezone.utc)
    async with client.app.state.runtime.sessionmaker() as session, session.begin():
        for code in (BATCH, OTHER_BATCH):
            session.add(BatchView(code=code, name=code, kind="consumable", starts_on=date(2025, 6, 20),
                                  ends_on=date(2027, 6, 19), ended_early_on=None,
                                  policy=policy_from_preset("chongqing-2025"), groups=[], as_of=now))
        for product, batch, maker in ((1, BATCH, MANUFACTURER), (2, OTHER_BATCH, OTHER_MANUFACTURER)):
            session.add(ProductView(product_id=product, batch_code=batch, group_code=None,
                                    registration_no=f"国械注准2016{product:07d}", spec="", name=f"产品 {product}",
                                    applicant_credit_code=maker, winning=True, service_price_fen=5_000,
                                    winning_price_fen=73_000, status="listed", as_of=now))
        session.add_all(InstitutionView(code=code, name=code, level=3, kind="public", region_code="500103",
                                        fund=fund_for_level(3), as_of=now) for code in HOSPITALS)
        for hospital in HOSPITALS:
            for product, batch, maker in ((1, BATCH, MANUFACTURER), (2, OTHER_BATCH, OTHER_MANUFACTURER)):
                agreement = Agreement(batch_code=batch, agreement_year=1, hospital_code=hospital,
                                      manufacturer_code=maker, distributor_code=DISTRIBUTOR, with_service=True,
                                      version=1, status="effective")
                session.add(agreement)
                await session.flush()
                session.add(AgreementItem(agreement_id=agreement.id, product_id=product, agreed_quantity=100,
                                          unit_price_fen=73_000))
    return client


def as_(contracts, role: Role, tenant: str | None = None) -> SignedClient:
    client = SignedClient(transport=httpx.ASGITransport(app=contracts.app), base_url="http://service",
                          principal=Principal(role=role, tenant=tenant, key_id=f"test-{role.value}"))
    client.app = contracts.app
    return client


@pytest.fixture
async def orders(contracts):
    """Each hospital orders product 1 (HIS-1) and product 2 (HIS-2)."""
    for hospital in HOSPITALS:
        async with as_(contracts, Role.HOSPITAL, hospital) as his:
            for number, product in (("HIS-1", 1), ("HIS-2", 2)):
                placed = await his.post("/orders", json={"his_order_no": number, "lines": [
                    {"line_no": 1, "product_id": product, "quantity": 2, "unit_price": "730.00"}]})
                assert placed.status_code == 201, placed.text
    return contracts


async def listed(client, path: str, **params) -> list[tuple[str, str]]:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return sorted((item["hospital_code"], item.get("his_order_no") or item["manufacturer_code"])
                  for item in response.json()["items"])


class TestOrdersAreFiltered:
    async def test_the_bureau_filters_by_hospital_company_batch_status_and_day(self, orders):
        async with as_(orders, Role.INSURER) as bureau:
            assert len(await listed(bureau, "/orders")) == 4
            assert await listed(bureau, "/orders", hospital_code=HOSPITALS[1]) == [
                (HOSPITALS[1], "HIS-1"), (HOSPITALS[1], "HIS-2")]
            assert await listed(bureau, "/orders", company_code=OTHER_MANUFACTURER) == [
                (HOSPITALS[0], "HIS-2"), (HOSPITALS[1], "HIS-2")]
            assert await listed(bureau, "/orders", batch_code=BATCH, hospital_code=HOSPITALS[0]) == [
                (HOSPITALS[0], "HIS-1")]
            assert len(await listed(bureau, "/orders", status="pending")) == 4
            assert await listed(bureau, "/orders", status="confirmed") == []
            assert len(await listed(bureau, "/orders", placed_from="2025-07-01", placed_to="2025-07-01")) == 4
            assert await listed(bureau, "/orders", placed_from="2025-07-02") == []
            assert await listed(bureau, "/orders", placed_to="2025-06-30") == []

    async def test_a_filter_never_widens_the_callers_scope(self, orders):
        async with as_(orders, Role.HOSPITAL, HOSPITALS[0]) as his:
            assert await listed(his, "/orders", hospital_code=HOSPITALS[1]) == []
            assert await listed(his, "/orders", company_code=MANUFACTURER) == [(HOSPITALS[0], "HIS-1")]
        async with as_(orders, Role.COMPANY, OTHER_MANUFACTURER) as company:
            assert await listed(company, "/orders", company_code=MANUFACTURER) == []
            assert await listed(company, "/orders", hospital_code=HOSPITALS[1]) == [(HOSPITALS[1], "HIS-2")]

    async def test_a_range_the_wrong_way_round_names_the_parameter(self, orders):
        async with as_(orders, Role.INSURER) as bureau:
            response = await bureau.get("/orders", params={"placed_from": "2025-07-02", "placed_to": "2025-07-01"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.placed_to"

    async def test_a_parameter_the_route_does_not_take_is_refused_not_ignored(self, orders):
        async with as_(orders, Role.HOSPITAL, HOSPITALS[0]) as his:
            response = await his.get("/orders", params={"hospital": HOSPITALS[1]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.hospital"
        assert "hospital_code" in response.json()["errors"][0]["reason"]


class TestAgreementsAreFiltered:
    async def test_the_bureau_filters_by_hospital_and_company(self, contracts):
        async with as_(contracts, Role.INSURER) as bureau:
            assert len(await listed(bureau, "/agreements")) == 4
            assert await listed(bureau, "/agreements", hospital_code=HOSPITALS[0], company_code=MANUFACTURER) == [
                (HOSPITALS[0], MANUFACTURER)]
            assert await listed(bureau, "/agreements", batch_code=OTHER_BATCH) == [
                (HOSPITALS[0], OTHER_MANUFACTURER), (HOSPITALS[1], OTHER_MANUFACTURER)]
            assert await listed(bureau, "/agreements", batch=OTHER_BATCH) == await listed(
                bureau, "/agreements", batch_code=OTHER_BATCH)  # the former name, deprecated

    async def test_a_filter_never_widens_the_callers_scope(self, contracts):
        async with as_(contracts, Role.HOSPITAL, HOSPITALS[0]) as his:
            assert await listed(his, "/agreements", hospital_code=HOSPITALS[1]) == []
        async with as_(contracts, Role.COMPANY, MANUFACTURER) as company:
            assert await listed(company, "/agreements", company_code=OTHER_MANUFACTURER) == []
            assert await listed(company, "/agreements", hospital_code=HOSPITALS[1]) == [(HOSPITALS[1], MANUFACTURER)]
