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

from vbpkit.web.problems import MEDIA_TYPE, Problem


# the API's version (README "API policy", CHANGELOG.md): the major changes only with a breaking change
API_VERSION = "2.1.0"

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
}
# issue 23, item 1: each status shows the problem it really answers, not one 422 for all
EXAMPLES: dict[str, Problem] = {
    "400": Problem(400, "malformed-json", "Malformed JSON", "the request body is not valid JSON"),
    "401": Problem(401, detail="send an API key in X-API-Key or Authorization: Bearer"),
    "403": Problem(403, detail="this operation is for exchange, insurer; the key is a hospital's"),
    "404": Problem(404, detail="no order 42 of yours"),
    "409": Problem(409, detail="the Idempotency-Key was used before with another body"),
    "413": Problem(413, detail="the body is larger than 16777216 bytes"),
    "415": Problem(415, detail="this operation reads application/json"),
    "422": Problem(422, "validation-error", "Invalid request", "1 field(s) are invalid: query.limit: Input should be "
                   "less than or equal to 200", errors=[{"field": "query.limit",
                                                         "reason": "Input should be less than or equal to 200"}]),
    "429": Problem(429, "rate-limited", "Too many requests", "3000 per 1 minute; retry after 12 s"),
    "502": Problem(502, detail="catalog is unreachable"),
    "504": Problem(504, detail="contracts did not answer in 10 s"),
}
# issue 23, item 1: what Swagger UI puts in a request it builds — real values a user could send,
# not strings generated from patterns — by the field's name, wherever a schema has no example
FIELD_EXAMPLES: dict[str, Any] = {
    "hospital_code": "H500101001", "company_code": "91500000MA5U0XK1AA", "manufacturer_code": "91500000MA5U0XK1AA",
    "distributor_code": "91500000MA5U7P3C0N", "applicant_credit_code": "91500000MA5U0XK1AA",
    "credit_code": "91500000MA5U0XK1AA", "batch_code": "CQ-HC-2026", "region_code": "500103",
    "registration_no": "国械注准20163132305", "his_order_no": "HIS-2026-000123", "month": "2026-10",
    "number": "INV-2026-0001", "tenant": "500000", "label": "重庆市医保局", "reason": "质量问题",
    "document_no": "渝医保发〔2026〕1号", "group_code": "G1", "lot": "L2026061",
}
MONEY_FIELDS = frozenset({"unit_price", "winning_price", "product_price", "service_price", "price", "amount",
                          "baseline_price", "national_lowest_price", "total"})


def _add_examples(schemas: dict[str, Any]) -> None:
    for schema in schemas.values():
        for name, field in schema.get("properties", {}).items():
            if "example" in field or "examples" in field:
                continue
            if name in FIELD_EXAMPLES:
                field["example"] = FIELD_EXAMPLES[name]
            elif name in MONEY_FIELDS and "string" in str(field.get("type", field.get("anyOf", ""))):
                field["example"] = "730.00"


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "any string up to 200 characters, one per logical write: the same key and body again answer "
                   "the first answer (with `Idempotent-Replayed: true`), the same key with another body a 409",
    "schema": {"type": "string", "maxLength": 200}, "example": "his-order-HIS-2026-000123",
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


def describe(document: dict, roles: dict[tuple[str, str], list[str]], *, idempotent_posts: bool = True) -> dict:
    """Add the problem responses (each with its own example), the roles and, where POSTs honour
    it (every service's; not the gateway's own), the ``Idempotency-Key`` header to every
    operation of ``document``."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    _add_examples(schemas)
    problem = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = dict(COMMON, **(WRITES if method in UNSAFE else {}))
            for status, why in statuses.items():
                known = operation["responses"].get(status, {})
                content = {MEDIA_TYPE: {**problem[MEDIA_TYPE], "example": EXAMPLES[status].body()}}
                operation["responses"][status] = {"description": known.get("description") or why, "content": content}
                if status == "422":
                    operation["responses"][status]["description"] = why
            if method == "post" and idempotent_posts:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY)
            allowed = roles.get((path, method))
            if allowed is not None:
                operation["x-roles"] = allowed
                text = operation.get("description") or operation.get("summary") or ""
                operation["description"] = f"{text}\n\n**Roles:** {', '.join(allowed)}".strip()
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f"#/components/schemas/{unused}" not in str(document.get("paths")):
            del schemas[unused]
    return document


def install(app: FastAPI, *, routers: list[APIRouter] = (), idempotent_posts: bool = True) -> None:
    """Make ``app.openapi()`` return the described document (built once, then cached).
    ``routers``: those included in ``app`` without a prefix (FastAPI keeps their routes apart
    from ``app.routes``); their routes' roles are read from them."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description,
                                   routes=app.routes)
            routes = [*app.routes, *(route for router in routers for route in router.routes)]
            roles = {(r.path, m.lower()): _roles_of(r) for r in routes if isinstance(r, APIRoute) for m in r.methods}
            app.openapi_schema = describe(document, roles, idempotent_posts=idempotent_posts)
        return app.openapi_schema

    app.openapi = openapi
