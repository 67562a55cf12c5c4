"""GW-5: the gateway's role table is read from the services' own documents (``x-roles``) — at
start-up, again while a service is not up yet, and again when a request names a route it does not
know; a route still unknown is left to the service, which enforces the same roles itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fastapi import APIRouter
from gateway_setup import Recording, assert_problem, serving
from testsupport import IDENTITY_KEY
from vbp_gateway.roles import RoleTable
from vbpkit.runtime.service_app import ServiceSpec, create_service_app
from vbpkit.runtime.settings import ServiceSettings
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbptools.embedded import free_port

EVERYONE = [role.value for role in Role]


def document(routes: dict[str, dict[str, list[str]]]) -> dict:
    """A service document from {path: {method: x-roles}}."""
    return {"paths": {path: {method: {"x-roles": roles, "responses": {}} for method, roles in methods.items()}
                      for path, methods in routes.items()}}


class Service:
    """A fake service's documents, one version after the other; counts how often it was read."""

    def __init__(self, *versions: dict | None, delay: float = 0.0):
        self.versions = list(versions)
        self.reads = 0
        self.delay = delay

    async def fetch(self, service: str) -> dict | None:
        self.reads += 1
        await asyncio.sleep(self.delay)
        return self.versions[min(self.reads, len(self.versions)) - 1]


ORDERS = {"paths": {
    "/orders": {"get": {"x-roles": EVERYONE}, "post": {"x-roles": ["admin", "hospital"]}},
    "/orders/{order_id}": {"get": {"x-roles": EVERYONE}},
    "/orders/bulk": {"post": {"x-roles": ["admin", "hospital"]}},
    "/orders/{order_id}/confirmation": {"post": {"x-roles": ["admin", "company"]}},
    "/reports/monthly": {"get": {"x-roles": ["admin", "insurer", "exchange"]}},
    "/files/{name}.xlsx": {"get": {"x-roles": ["admin", "insurer"]}},
    "/future": {"post": {"x-roles": ["admin", "auditor"]}},
}}


async def table_of(*versions: dict | None, miss_refresh_seconds: float = 0.0) -> tuple[RoleTable, Service]:
    service = Service(*versions)
    table = RoleTable(service.fetch, ["contracts"], miss_refresh_seconds=miss_refresh_seconds)
    await table.load()
    return table, service


class TestTheTableIsWhatTheServicePublishes:
    """GW-5: each route with exactly its ``x-roles``, matched as the service's router matches it."""

    async def test_a_route_allows_exactly_its_published_roles(self):
        table, _ = await table_of(ORDERS)
        assert table.roles_for("contracts", "POST", "/orders/7/confirmation") == {Role.ADMIN, Role.COMPANY}
        assert table.roles_for("contracts", "GET", "/reports/monthly") == {Role.ADMIN, Role.INSURER, Role.EXCHANGE}
        assert table.roles_for("contracts", "GET", "/orders/7") == frozenset(Role)

    async def test_a_literal_segment_is_matched_before_a_parameter(self):
        table, _ = await table_of(ORDERS)
        assert table.roles_for("contracts", "POST", "/orders/bulk") == {Role.ADMIN, Role.HOSPITAL}
        assert table.roles_for("contracts", "GET", "/orders/bulk") == frozenset(Role)  # GET /orders/{order_id}

    async def test_a_parameter_matches_within_one_segment_and_never_an_empty_one(self):
        table, _ = await table_of(ORDERS)
        assert table.roles_for("contracts", "GET", "/files/report-2024.xlsx") == {Role.ADMIN, Role.INSURER}
        for path in ("/orders/7/8", "/orders/", "/files/.xlsx", "/files/a.csv"):
            assert table.roles_for("contracts", "GET", path) is None, path

    async def test_head_is_asked_as_get(self):
        table, _ = await table_of(ORDERS)
        assert table.roles_for("contracts", "HEAD", "/reports/monthly") == {Role.ADMIN, Role.INSURER, Role.EXCHANGE}

    async def test_a_role_the_gateway_does_not_know_is_left_out(self):
        table, _ = await table_of(ORDERS)
        assert table.roles_for("contracts", "POST", "/future") == {Role.ADMIN}

    async def test_a_method_or_a_service_it_does_not_know_is_unknown(self):
        table, _ = await table_of(ORDERS)
        assert table.roles_for("contracts", "DELETE", "/orders") is None
        assert table.roles_for("settlement", "GET", "/orders") is None


class TestARouteTheTableDoesNotKnow:
    """GW-5: a miss reads the service again (once for all who miss together, at most once per
    ``roles_miss_refresh_seconds``); still unknown, the table says so and the service decides."""

    async def test_the_service_is_read_again_and_its_new_route_is_known(self):
        table, service = await table_of(ORDERS, document({"/added": {"post": ["admin", "insurer"]}}))
        assert table.roles_for("contracts", "POST", "/added") is None
        assert await table.allowed("contracts", "POST", "/added") == {Role.ADMIN, Role.INSURER}
        assert service.reads == 2

    async def test_a_route_still_unknown_after_the_read_is_left_to_the_service(self):
        table, service = await table_of(ORDERS)
        assert await table.allowed("contracts", "POST", "/nowhere") is None
        assert service.reads == 2

    async def test_misses_within_the_refresh_period_read_the_service_once(self):
        table, service = await table_of(ORDERS, miss_refresh_seconds=60)
        await table.allowed("contracts", "POST", "/nowhere")
        await table.allowed("contracts", "POST", "/elsewhere")
        assert service.reads == 1  # read at start-up, less than 60 s ago

    async def test_requests_that_miss_together_share_one_read(self):
        service = Service(None, ORDERS, delay=0.05)
        table = RoleTable(service.fetch, ["contracts"], miss_refresh_seconds=0)
        await table.load()  # the service is not up yet
        answers = await asyncio.gather(*(table.allowed("contracts", "POST", "/orders") for _ in range(10)))
        assert answers == [{Role.ADMIN, Role.HOSPITAL}] * 10
        assert service.reads == 2

    async def test_a_service_not_up_at_start_is_read_again_until_it_answers(self):
        service = Service(None, None, ORDERS)
        table = RoleTable(service.fetch, ["contracts"], miss_refresh_seconds=60)
        await table.load()
        assert table.known() == frozenset()
        keeping = asyncio.create_task(table.keep_current(every_seconds=60))
        try:
            async with asyncio.timeout(10):
                while "contracts" not in table.known():
                    await asyncio.sleep(0.05)
        finally:
            keeping.cancel()
        assert service.reads == 3
        assert table.roles_for("contracts", "POST", "/orders") == {Role.ADMIN, Role.HOSPITAL}


def catalog_app(*routers: APIRouter) -> Recording:
    """A service built from the kit as every service is (``create_service_app``), named catalog, with
    ``routers``; served without its lifespan (its routes here need no database)."""
    spec = ServiceSpec(name="catalog", title="a catalog with more routes", description="GW-5 tests",
                       migrations=Path("unused"), routers=list(routers))
    settings = ServiceSettings(database_url="postgresql+asyncpg://unused@127.0.0.1:1/unused",
                               kafka_bootstrap_servers="127.0.0.1:1", identity_key=IDENTITY_KEY)
    return Recording(create_service_app(spec, settings))


def things(*, published: bool = True) -> APIRouter:
    router = APIRouter()

    @router.post("/added-things", dependencies=[require_roles(Role.INSURER)], include_in_schema=published)
    async def add_thing(principal: PrincipalDep) -> dict:
        return {"added_by": principal.role.value}

    return router


@pytest.fixture
async def keys(start_gateway):
    """Factory: a gateway whose catalog is at ``port`` (up or not), and a hospital's and an insurer's key."""
    async def make(port: int):
        gateway = await start_gateway(catalog_url=f"http://127.0.0.1:{port}", roles_miss_refresh_seconds=0)
        issued = {}
        for role, tenant in (("hospital", "H500101001"), ("insurer", "500000")):
            response = await gateway.post("/admin/api-keys", json={"role": role, "tenant": tenant, "label": role})
            issued[role] = {"X-API-Key": response.json()["api_key"]}
        return gateway, issued

    return make


class TestARouteAServiceAddsIsProtected:
    """GW-5 without a gateway change: the table comes from the service's own document."""

    async def test_a_route_deployed_after_the_gateway_started_is_refused_by_the_gateway(self, keys):
        port = free_port()
        before, after = catalog_app(), catalog_app(things())
        async with serving(before, port):
            gateway, key = await keys(port)
            assert "catalog" in gateway.app.state.runtime.roles.known()
        async with serving(after, port):  # the catalog deployed again, with a new route
            refused = assert_problem(await gateway.post("/catalog/added-things", headers=key["hospital"]), 403)
            assert refused["detail"] == "role hospital may not POST /catalog/added-things"
            assert after.requests == [("GET", "/openapi.json")]  # read on the miss; the request never went on
            allowed = await gateway.post("/catalog/added-things", headers=key["insurer"])
            assert allowed.status_code == 200, allowed.text
            assert allowed.json() == {"added_by": "insurer"}

    async def test_a_service_down_at_start_is_checked_from_its_first_request(self, keys):
        port = free_port()
        gateway, key = await keys(port)
        assert "catalog" not in gateway.app.state.runtime.roles.known()
        service = catalog_app(things())
        async with serving(service, port):
            assert_problem(await gateway.post("/catalog/added-things", headers=key["hospital"]), 403)
            assert ("POST", "/added-things") not in service.requests
            assert (await gateway.post("/catalog/added-things", headers=key["insurer"])).status_code == 200

    async def test_a_route_the_service_does_not_publish_is_left_to_the_service(self, keys):
        port = free_port()
        service = catalog_app(things(published=False))
        async with serving(service, port):
            gateway, key = await keys(port)
            refused = assert_problem(await gateway.post("/catalog/added-things", headers=key["hospital"]), 403)
            assert "may not do this" in refused["detail"]  # the service's own check (require_roles)
            assert ("POST", "/added-things") in service.requests
            assert (await gateway.post("/catalog/added-things", headers=key["insurer"])).status_code == 200
            assert_problem(await gateway.post("/catalog/nothing-here", headers=key["insurer"]), 404)
