"""Issue 7 item 4, STYLE "Layers that each do one thing": every service keeps one structure.

Every query lives in its feature's ``repository.py``; a router parses, calls one service
function and returns; the caller is named by ``Principal.actor``, not a rebuilt
``role:key`` string; no module passes ~400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"
PACKAGES = sorted(SERVICES.glob("*/vbp_*"))
MODULES = sorted(p for package in PACKAGES for p in package.rglob("*.py"))
ROUTERS = sorted(p for package in PACKAGES for p in package.glob("*/router.py"))
# what a route may call: its feature's service, or the read function of a kit projection
# (a service's view of another's facts has no service module of its own)
CALLABLE_FROM_ROUTES = ("service", "registry", "catalog_view")
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text"}
SESSION_QUERIES = {"execute", "scalar", "scalars", "get", "stream"}


def _name(path: Path) -> str:
    return str(path.relative_to(SERVICES))


def _queries(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in QUERY_BUILDERS | {"get_or_404"}:
            found.append((node.lineno, func.id))
        elif (isinstance(func, ast.Attribute) and func.attr in SESSION_QUERIES
              and isinstance(func.value, ast.Name) and func.value.id == "session"):
            found.append((node.lineno, f"session.{func.attr}"))
    return found


def _routes(tree: ast.Module) -> list[ast.AsyncFunctionDef]:
    return [
        node for node in tree.body
        if isinstance(node, ast.AsyncFunctionDef) and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
            and isinstance(d.func.value, ast.Name) and d.func.value.id == "router"
            for d in node.decorator_list)
    ]


def test_the_queries_it_finds_are_real_ones():
    """The detector itself: a query in a service would be seen (so the checks below can fail)."""
    tree = ast.parse("async def f(session):\n    await session.scalars(select(A))\n    await session.get(A, 1)\n")
    assert sorted(q for _, q in _queries(tree)) == ["select", "session.get", "session.scalars"]


@pytest.mark.parametrize("path", [p for p in MODULES if p.name != "repository.py"], ids=_name)
def test_no_query_outside_a_repository(path: Path):
    assert _queries(ast.parse(path.read_text())) == []


@pytest.mark.parametrize("path", ROUTERS, ids=_name)
def test_a_route_calls_one_service_function(path: Path):
    tree = ast.parse(path.read_text())
    routes = _routes(tree)
    assert routes, "a router with no routes"
    for route in routes:
        calls = [
            f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(route)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in (*CALLABLE_FROM_ROUTES, "repository", "session")
        ]
        assert len(calls) == 1 and calls[0].split(".")[0] in CALLABLE_FROM_ROUTES, f"{route.name} calls {calls}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_the_actor_is_not_rebuilt_by_hand(path: Path):
    assert "role.value}:" not in path.read_text(), "use Principal.actor"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_over_400_lines(path: Path):
    assert len(path.read_text().splitlines()) <= 400
