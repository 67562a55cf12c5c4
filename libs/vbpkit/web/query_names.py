"""A query parameter a route does not take is a 422 naming it (issue 23, item 3).

Silently ignoring one misleads: ``GET /contracts/orders?hospital_code=H500101004`` answered
another hospital's orders while the route took only a cursor, and ``?behind=true`` looked
like a filter that worked. ``reject_unknown_query_parameters`` is an application-wide
dependency: it compares the request's query names with those the matched route declares
(its own parameters and those of every dependency it uses) and refuses the rest, naming each
as ``query.<name>`` and listing what the route does take.

Routes that forward a request elsewhere (the gateway's proxy) leave the check to the
service that answers; only ``APIRoute``s are checked, so ``/docs`` and ``/openapi.json``
take what Swagger UI adds.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from vbpkit.web.problems import Problem

_DECLARED: dict[int, frozenset[str]] = {}


def declared_query_names(route: APIRoute) -> frozenset[str]:
    """The query names ``route`` takes, its dependencies' included (computed once a route)."""
    names = _DECLARED.get(id(route))
    if names is None:
        names = frozenset(_query_names(route.dependant))
        _DECLARED[id(route)] = names
    return names


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def unknown_query_problem(unknown: list[str], declared: frozenset[str]) -> Problem:
    takes = ", ".join(sorted(declared)) if declared else "no query parameters"
    reason = f"is not a parameter of this route; it takes {takes}"
    return Problem(422, "validation-error", "Invalid request",
                   "; ".join(f"query.{name}: {reason}" for name in unknown[:5]),
                   errors=[{"field": f"query.{name}", "reason": reason} for name in unknown])


def invalid_query(name: str, reason: str) -> Problem:
    """A 422 naming one query parameter whose value the route refuses (a range the wrong way round)."""
    return Problem(422, "validation-error", "Invalid request", f"query.{name}: {reason}",
                   errors=[{"field": f"query.{name}", "reason": reason}])


async def reject_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    declared = declared_query_names(route)
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        raise unknown_query_problem(unknown, declared)
