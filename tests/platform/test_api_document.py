"""Issue 11, item 2: the gateway's OpenAPI document is the truth — every operation says who may
call it (``x-roles``, the roles its service enforces), has a description, lists every status it
can answer with the problem+json schema, and returns typed bodies; FastAPI's default 422 shape
is gone."""

from __future__ import annotations

import httpx

from vbpkit.runtime.topology import SERVICES

SAFE = {"get", "head", "options"}


async def test_every_operation_documents_roles_statuses_and_problems(shared_platform):
    document = (await shared_platform.admin.get("/openapi.json")).json()
    operations = [(path, method, op) for path, item in document["paths"].items()
                  for method, op in item.items() if isinstance(op, dict) and "responses" in op]
    assert len(operations) > 100
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("description"), where
        assert set(op["x-roles"]) <= {"hospital", "exchange", "company", "insurer", "admin"} and op["x-roles"], where
        assert "**Roles:**" in op["description"], where
        statuses = {"400", "401", "403", "404", "422", "429", "502", "504"} | (
            set() if method in SAFE else {"409", "413", "415"})
        assert statuses <= set(op["responses"]), (where, sorted(op["responses"]))
        for status in statuses:
            content = op["responses"][status]["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}, (where, status)
            # issue 23, item 1: each status its own example, not one 422 for all
            assert content["example"]["status"] == int(status), (where, status, content["example"])
        security = {scheme for requirement in op.get("security", []) for scheme in requirement}
        assert security == {"ApiKey", "Bearer"}, (where, op.get("security"))
        if method == "post" and path.split("/")[1] in SERVICES:
            assert "Idempotency-Key" in [p["name"] for p in op.get("parameters", [])], where
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]

    paths = document["paths"]
    assert paths["/catalog/products/{product_id}/payment-standard"]["put"]["x-roles"] == ["admin", "insurer"]
    assert paths["/catalog/products/{product_id}/payment-standard"]["get"]["x-roles"] == [
        "hospital", "exchange", "company", "insurer", "admin"]
    assert paths["/admin/api-keys"]["get"]["x-roles"] == ["admin"]
    for path in ("/catalog/products/{product_id}/lower-prices", "/catalog/products/{product_id}/price-reductions"):
        schema = paths[path]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (path, schema)     # CAT-6 answers are typed, not bare objects


def swagger_request(document: dict, path: str, method: str, authorized: dict[str, str]) -> dict[str, str]:
    """The headers Swagger UI (swagger-client) puts on a "Try it out" request once the user has
    authorized ``authorized`` (scheme → value): the first of the operation's security
    requirements whose schemes are all authorized, an apiKey in its header and an http bearer
    as ``Authorization``; an operation that declares none gets no credential at all."""
    schemes = document["components"]["securitySchemes"]
    for requirement in document["paths"][path][method].get("security", document.get("security", [])):
        if requirement and all(name in authorized for name in requirement):
            headers = {}
            for name in requirement:
                scheme = schemes[name]
                if scheme["type"] == "apiKey" and scheme["in"] == "header":
                    headers[scheme["name"]] = authorized[name]
                elif scheme["type"] == "http" and scheme["scheme"] == "bearer":
                    headers["Authorization"] = f"Bearer {authorized[name]}"
            return headers
    return {}


async def test_swagger_ui_sends_the_key_to_the_gateways_own_routes(shared_platform):
    """Issue 23, item 1: after Authorize, "Try it out" on ``/me`` and ``POST /admin/api-keys``
    carried no key (they declared no security) and answered 401. The request the UI builds from
    the document now carries it, and the example body it starts from is one the API accepts."""
    document = (await shared_platform.admin.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["Bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": document["components"]["securitySchemes"]["Bearer"]["description"]}
    admin_key = shared_platform.admin.headers["X-API-Key"]
    async with httpx.AsyncClient(base_url=shared_platform.url, timeout=30) as browser:
        me = await browser.get("/me", headers=swagger_request(document, "/me", "get", {"ApiKey": admin_key}))
        assert me.status_code == 200 and me.json()["role"] == "admin", me.text
        schema = document["components"]["schemas"]["ApiKeyCreate"]["properties"]
        body = {"role": "insurer", "tenant": schema["tenant"]["example"], "label": schema["label"]["examples"][0]}
        issued = await browser.post("/admin/api-keys", json=body, headers=swagger_request(
            document, "/admin/api-keys", "post", {"ApiKey": admin_key}))
        assert issued.status_code == 201, issued.text
        assert swagger_request(document, "/health", "get", {}) == {}  # anyone may ask whether it is up


async def test_request_examples_are_values_a_user_could_send(shared_platform):
    """Issue 23, item 1: codes in request examples are real ones, not strings made from patterns."""
    document = (await shared_platform.admin.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]
    examples = {name: field["example"] for schema in schemas.values()
                for name, field in schema.get("properties", {}).items() if "example" in field}
    assert examples["hospital_code"] == "H500101001" and examples["batch_code"] == "CQ-HC-2026"
    company = (await shared_platform.admin.get(f"/catalog/companies/{examples['manufacturer_code']}"))
    assert company.status_code in (200, 404)  # a valid credit code: 404 when not registered, never a 422
    body = document["paths"]["/catalog/institutions"]["post"]["requestBody"]["content"]["application/json"]
    [example] = body["examples"].values()
    pushed = await shared_platform.admin.post("/catalog/institutions", json=example["value"])
    assert pushed.status_code == 200, pushed.text
