"""Issue 22 item 7, STYLE "Layout that shows the architecture" and "Layers that each do one
thing": the whole tree — the four services, the gateway, the kit and the tools — keeps one shape.

- no import cycle between modules (a function-level import counts: it hides a cycle, not ends it);
- no module over 400 lines;
- no file imports another's ``_private`` name, or reads one off an imported module (tests and
  benchmarks included): make it public or test through the public path;
- nothing the services, the gateway or the kit run imports the tools package (``vbptools``);
- every query of a service or the gateway lives in a ``repository.py``;
- a route parses, calls one function of a public module of its own feature (or a kit
  projection's read functions) and returns;
- the caller is named by ``Principal.actor``, not a rebuilt ``role:key`` string.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOTS = [ROOT / "libs", *sorted((ROOT / "services").glob("*")), ROOT / "gateway"]
OURS = ("vbpkit", "vbptools", "vbp_")  # top-level package names of the project
APPS = sorted([*(ROOT / "services").glob("*/vbp_*"), ROOT / "gateway" / "vbp_gateway"])
KIT, TOOLS = ROOT / "libs" / "vbpkit", ROOT / "libs" / "vbptools"
RUNTIME_CODE = sorted(p for top in (*APPS, KIT) for p in top.rglob("*.py"))
CODE = sorted([*RUNTIME_CODE, *TOOLS.rglob("*.py")])
EVERY_PYTHON_FILE = sorted(p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and ".git" not in p.parts
                           and "migrations" not in p.parts)
ROUTERS = sorted(p for app in APPS for p in app.rglob("router.py"))
# a kit projection is read through its repository by routes of every service that keeps it
PROJECTION_READERS = {"registry", "catalog_view", "accepted_lines"}
# what turns an answer into a download besides: not the route's one call
RENDERERS = {"xlsx"}
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text"}
SESSION_QUERIES = {"execute", "scalar", "scalars", "get", "stream"}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def module_of(path: Path) -> str:
    """The dotted module a source file is, from the folder its package sits in."""
    for top in PACKAGE_ROOTS:
        if path.is_relative_to(top):
            parts = path.relative_to(top).with_suffix("").parts
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    raise ValueError(path)


@cache
def modules() -> dict[str, Path]:
    return {module_of(p): p for p in CODE}


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Each import of ``path`` as (module, names taken from it, line), wherever it stands."""
    module = module_of(path) if path in CODE else ""
    parents = {child: node for node in ast.walk(tree(path)) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree(path)):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # relative: resolved against the importing module's package
                package = module.split(".")[: len(module.split(".")) - node.level + (path.name == "__init__.py")]
                source = ".".join([*package, *([source] if source else [])])
            found.append((source, [alias.name for alias in node.names], node.lineno))
    return found


def edges(path: Path) -> set[str]:
    """The project modules ``path`` imports: ``from pkg import mod`` names the module ``pkg.mod``."""
    known = modules()
    targets = set()
    for source, names, _ in imports(path):
        if not source.startswith(OURS):
            continue
        submodules = {f"{source}.{name}" for name in names if f"{source}.{name}" in known}
        targets |= submodules or ({source} if source in known else set())
        if names and len(submodules) < len(names) and source in known:
            targets.add(source)
    return targets - {module_of(path)}


def cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph = {module_of(p): edges(p) & set(modules()) for p in CODE}
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def private_names_taken(path: Path) -> list[str]:
    """``from ours import _x``, and ``mod._x`` where ``mod`` is a project module this file imported."""
    found, module_aliases = [], set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(OURS):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                if f"{node.module}.{alias.name}" in modules():
                    module_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            module_aliases |= {alias.asname or alias.name.split(".")[0] for alias in node.names
                               if alias.name.startswith(OURS)}
    for node in ast.walk(tree(path)):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in module_aliases):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def queries(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree(path)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in QUERY_BUILDERS | {"get_or_404"}:
            found.append((node.lineno, func.id))
        elif (isinstance(func, ast.Attribute) and func.attr in SESSION_QUERIES
              and isinstance(func.value, ast.Name) and func.value.id == "session"):
            found.append((node.lineno, f"session.{func.attr}"))
    return found


def routes(module: ast.Module) -> list[ast.AsyncFunctionDef]:
    return [node for node in module.body if isinstance(node, ast.AsyncFunctionDef) and any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and isinstance(d.func.value, ast.Name)
        and d.func.value.id == "router" for d in node.decorator_list)]


class TestTheDetectorsSeeWhatTheyLookFor:
    """Each check below can fail: the detectors find what they are built to find."""

    def test_queries_and_private_names(self):
        code = ast.parse("async def f(session):\n    await session.scalars(select(A))\n    await session.get(A, 1)\n")
        path = ROOT / "probe.py"
        try:
            path.write_text(ast.unparse(code))
            tree.cache_clear()
            assert sorted(q for _, q in queries(path)) == ["select", "session.get", "session.scalars"]
            path.write_text("from vbpkit.web import problems\nfrom vbpkit.web.problems import _x\nproblems._y\n")
            tree.cache_clear()
            assert private_names_taken(path) == ["line 2: from vbpkit.web.problems import _x", "line 3: problems._y"]
        finally:
            path.unlink()
            tree.cache_clear()

    def test_a_function_level_import_is_an_edge(self):
        importer = next(p for p in CODE if module_of(p) == "vbpkit.messaging.inbox")
        assert "vbpkit.messaging.handlers" in edges(importer)


def test_no_import_cycle_between_modules():
    assert cycles() == []


@pytest.mark.parametrize("path", CODE, ids=_name)
def test_no_module_over_400_lines(path: Path):
    assert len(path.read_text().splitlines()) <= 400


@pytest.mark.parametrize("path", EVERY_PYTHON_FILE, ids=_name)
def test_no_private_name_of_another_file(path: Path):
    assert private_names_taken(path) == []


@pytest.mark.parametrize("path", RUNTIME_CODE, ids=_name)
def test_nothing_that_runs_the_platform_imports_the_tools(path: Path):
    assert [line for source, _, line in imports(path) if source.split(".")[0] == "vbptools"] == []


@pytest.mark.parametrize("path", [p for app in APPS for p in app.rglob("*.py") if p.name != "repository.py"],
                         ids=_name)
def test_no_query_outside_a_repository(path: Path):
    assert queries(path) == []


@pytest.mark.parametrize("path", ROUTERS, ids=_name)
def test_a_route_calls_one_function_of_its_own_feature(path: Path):
    """Its own feature: a module imported from the router's own package (service, bulk, …); or a
    kit projection's read functions. Never a repository or the session directly. Rendering the
    answer as a download (``xlsx``) is not the call."""
    feature = module_of(path).rsplit(".", 1)[0]
    own = {name for source, names, _ in imports(path) if source == feature for name in names}
    callable_modules = (own | PROJECTION_READERS) - {"repository", "schemas", "models", *RENDERERS}
    module = tree(path)
    assert routes(module), "a router with no routes"
    for route in routes(module):
        calls = [f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(route)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name)
                 and node.func.value.id in (*callable_modules, "repository", "session")]
        assert len(calls) == 1 and calls[0].split(".")[0] in callable_modules, f"{route.name} calls {calls}"


@pytest.mark.parametrize("path", [p for app in APPS for p in app.rglob("*.py")], ids=_name)
def test_the_actor_is_not_rebuilt_by_hand(path: Path):
    assert "role.value}:" not in path.read_text(), "use Principal.actor"
