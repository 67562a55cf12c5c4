"""GW-5: the gateway's role table and each service's own role check say the same thing.

Both check (defence in depth); if they disagree, a caller is refused by one and let
through by the other. Every write route of every service must declare its roles, and
the gateway must allow exactly those (admins always)."""

import re

import pytest
from fastapi.routing import APIRoute

from vbp_gateway.permissions import allowed_roles

SERVICES = ["catalog", "contracts", "settlement", "monitoring"]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def build(name: str):
    main = __import__(f"vbp_{name}.main", fromlist=["create_app"])
    settings = __import__(f"vbp_{name}.settings", fromlist=["x"])
    settings_class = next(v for k, v in vars(settings).items() if k.endswith("Settings") and k != "ServiceSettings")
    return main.create_app(settings_class(
        database_url="postgresql+asyncpg://unused@/unused", kafka_bootstrap_servers="unused:9092", identity_key="k"))


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


def write_routes():
    for name in SERVICES:
        for route in api_routes(build(name).routes):
            for method in route.methods & WRITE_METHODS:
                yield pytest.param(name, method, route, id=f"{name} {method} {route.path}")


@pytest.mark.parametrize("service,method,route", list(write_routes()))
def test_gateway_allows_exactly_the_roles_the_service_declares(service, method, route):
    roles = declared_roles(route)
    assert roles is not None, f"{method} {route.path} declares no roles (require_roles)"
    sample_path = re.sub(r"\{[^}]+\}", "X1", route.path)
    assert allowed_roles(method, service, sample_path) == roles
