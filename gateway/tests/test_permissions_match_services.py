"""GW-5: the gateway's role table and each service's own role check say the same thing.

Both check (defence in depth); if they disagreed, a caller would be refused by one and let
through by the other. The table is read from each service's ``/openapi.json`` (``x-roles``), which
``vbpkit.web.openapi`` writes from the ``require_roles`` dependency the service enforces: here,
every route of every service, through that document and into the table, must come out with
exactly the roles its dependency declares (admins always; a read that declares none is open to
every role, which the service then scopes by tenant) — and every write route must declare them."""

import re

import pytest
from fastapi.routing import APIRoute

from vbp_gateway.roles import RoleTable
from vbpkit.runtime.topology import SERVICES
from vbpkit.web.identity import Role

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def build(name: str):
    main = __import__(f"vbp_{name}.main", fromlist=["create_app"])
    settings = __import__(f"vbp_{name}.settings", fromlist=["x"])
    settings_class = next(v for k, v in vars(settings).items() if k.endswith("Settings") and k != "ServiceSettings")
    return main.create_app(settings_class(
        database_url="postgresql+asyncpg://unused@/unused", kafka_bootstrap_servers="unused:9092", identity_key="k"))


APPS = {name: build(name) for name in SERVICES}


def declared_roles(route: APIRoute):
    for dependency in route.dependant.dependencies:
        roles = getattr(dependency.call, "allowed_roles", None)
        if roles is not None:
            return roles
    return None


def api_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI keeps included routers as they were
            yield from api_routes(route.original_router.routes)


def service_routes():
    for name, app in APPS.items():
        for route in api_routes(app.routes):
            if route.include_in_schema:
                for method in sorted(route.methods):
                    yield pytest.param(name, method, route, id=f"{name} {method} {route.path}")


@pytest.fixture(scope="module")
async def table() -> RoleTable:
    async def document(service: str) -> dict:
        return APPS[service].openapi()

    table = RoleTable(document, SERVICES, miss_refresh_seconds=0)
    await table.load()
    return table


@pytest.mark.parametrize("service,method,route", list(service_routes()))
def test_gateway_allows_exactly_the_roles_the_service_declares(table, service, method, route):
    roles = declared_roles(route)
    if method in WRITE_METHODS:
        assert roles is not None, f"{method} {route.path} declares no roles (require_roles)"
    sample_path = re.sub(r"\{[^}]+\}", "X1", route.path)
    assert table.roles_for(service, method, sample_path) == (roles if roles is not None else frozenset(Role))
