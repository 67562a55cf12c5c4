"""The merged OpenAPI document: every service's operations under its prefix."""

from __future__ import annotations

import copy
import json


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def _rename_refs(node, renames: dict[str, str]):
    if isinstance(node, dict):
        return {
            k: (renames.get(v, v) if k == "$ref" and isinstance(v, str) else _rename_refs(v, renames))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


# who may call (GW-2): an API key, or an ops user's bearer JWT; Swagger UI's Authorize offers both
SECURITY_SCHEMES = {
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
               "description": "an API key issued by an admin; `Authorization: Bearer <key>` works too"},
    "Bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
               "description": "an ops user's token from the bureau's OpenID Connect provider (GW-2)"},
}
SECURED = [{"ApiKey": []}, {"Bearer": []}]  # either one
OPTIONAL = [{}, *SECURED]  # /health: anyone; an admin's credential shows the detail


def merge(gateway_doc: dict, service_docs: dict[str, dict | None]) -> dict:
    """Prefix each service's paths with ``/<service>``; a schema name two services use
    differently is renamed ``<service>.<name>`` so neither overwrites the other. Every
    operation declares what it needs (issue 23: Swagger UI sends the key only to an operation
    that declares it — the gateway's own ``/me`` and ``/admin/…`` once answered 401 there)."""
    merged = copy.deepcopy(gateway_doc)
    paths = merged.setdefault("paths", {})
    for path, item in paths.items():
        for operation in item.values():
            if isinstance(operation, dict):
                operation["security"] = OPTIONAL if path == "/health" else SECURED
    schemas = merged.setdefault("components", {}).setdefault("schemas", {})
    tags = {t["name"]: t for t in merged.get("tags", [])}
    for service, doc in service_docs.items():
        if doc is None:
            tags[service] = {"name": service, "description": "service unavailable: its operations are missing"}
            continue
        tags.setdefault(service, {"name": service, "description": doc.get("info", {}).get("description", "")})
        renames: dict[str, str] = {}
        own = doc.get("components", {}).get("schemas", {})
        changed = True
        while changed:  # a schema that refers to a renamed one means something else too
            changed = False
            for name, schema in own.items():
                pointer = f"#/components/schemas/{name}"
                if pointer in renames or name not in schemas:
                    continue
                differs = json.dumps(schemas[name], sort_keys=True) != json.dumps(schema, sort_keys=True)
                if differs or any(ref in renames for ref in _refs(schema)):
                    renames[pointer] = f"#/components/schemas/{service}.{name}"
                    changed = True
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            target = f"{service}.{name}" if f"#/components/schemas/{name}" in renames else name
            schemas[target] = _rename_refs(schema, renames)
        for path, item in doc.get("paths", {}).items():
            if path == "/health":
                continue
            item = _rename_refs(item, renames)
            for operation in item.values():
                if isinstance(operation, dict):
                    operation["tags"] = [service] + [t for t in operation.get("tags", []) if t != service]
                    operation["operationId"] = f"{service}_{operation.get('operationId', path)}"
                    operation.setdefault("security", SECURED)
            paths[f"/{service}{path}"] = item
    merged["tags"] = list(tags.values())
    merged["components"]["securitySchemes"] = SECURITY_SCHEMES
    return merged
