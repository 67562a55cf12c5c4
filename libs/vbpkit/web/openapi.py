"""The OpenAPI document as the truth (issue 11, item 2), for every service and the gateway.

FastAPI documents a 200 (or 201) and its own 422 shape. Every operation of the platform can
also answer with problem+json (RFC 9457) for the reasons the platform has in common — a
malformed request, no or a wrong key, a role or tenant that may not, something unknown, a
value that fails its rules, a conflict, a body too large, a rate limit, a service down — so
each operation lists those statuses under ``application/problem+json`` with the ``Problem``
schema, in place of FastAPI's default 422. Each also says who may call it: ``x-roles`` and a
**Roles** line in its description, read from the ``require_roles`` dependency the service
itself enforces (GW-5), so the document cannot drift from the check.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from vbpkit.web.problems import MEDIA_TYPE

ALL_ROLES = ("hospital", "exchange", "company", "insurer", "admin")
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `errors` locates each bad field",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            "additionalProperties": True}},
    },
    "additionalProperties": True,
    "example": {"type": "https://vbp.example.org/problems/validation-error", "title": "Invalid request",
                "status": 422, "detail": "1 field(s) are invalid: body.price: must be above 0.00",
                "errors": [{"field": "body.price", "reason": "must be above 0.00"}]},
}
COMMON = {
    "400": "Malformed request: a path with a control character, or a body that is not JSON",
    "401": "No credential, or an unknown, revoked or invalid one",
    "403": "The caller's role (or tenant) may not do this",
    "404": "Nothing of that id, or nothing of the caller's",
    "422": "A field fails its rules; `errors` names each one",
    "429": "Rate limit reached (GW-4); see Retry-After",
    "502": "The service behind the gateway is unreachable",
    "504": "The service behind the gateway did not answer in time",
}
WRITES = {
    "409": "Conflicts with what is stored (a state that forbids it, or an Idempotency-Key reused with another body)",
    "413": "The body is larger than the limit",
    "415": "The body's media type is not one this operation reads",
}
UNSAFE = frozenset({"post", "put", "patch", "delete"})


def _roles_of(route: APIRoute) -> list[str]:
    for dependency in route.dependant.dependencies:
        allowed = getattr(dependency.call, "allowed_roles", None)
        if allowed is not None:
            return sorted(r.value for r in allowed)
    return list(ALL_ROLES)


def describe(document: dict, roles: dict[tuple[str, str], list[str]]) -> dict:
    """Add the problem responses and the roles to every operation of ``document``."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = dict(COMMON, **(WRITES if method in UNSAFE else {}))
            for status, why in statuses.items():
                known = operation["responses"].get(status, {})
                operation["responses"][status] = {"description": known.get("description") or why,
                                                  "content": problem}
                if status == "422":
                    operation["responses"][status]["description"] = why
            allowed = roles.get((path, method))
            if allowed is not None:
                operation["x-roles"] = allowed
                text = operation.get("description") or operation.get("summary") or ""
                operation["description"] = f"{text}\n\n**Roles:** {', '.join(allowed)}".strip()
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f"#/components/schemas/{unused}" not in str(document.get("paths")):
            del schemas[unused]
    return document


def install(app: FastAPI, *, routers: list[APIRouter] = ()) -> None:
    """Make ``app.openapi()`` return the described document (built once, then cached).
    ``routers``: those included in ``app`` without a prefix (FastAPI keeps their routes apart
    from ``app.routes``); their routes' roles are read from them."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=app.routes)
            routes = [*app.routes, *(route for router in routers for route in router.routes)]
            roles = {(r.path, m.lower()): _roles_of(r) for r in routes if isinstance(r, APIRoute) for m in r.methods}
            app.openapi_schema = describe(document, roles)
        return app.openapi_schema

    app.openapi = openapi
